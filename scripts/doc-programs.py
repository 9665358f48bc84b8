#!/usr/bin/env python3
"""doc-programs.py [--cc CC] [--cflags FLAGS] --lib NAME=PATH... DIR -
builds every complete program of the markdown files under DIR, and runs
those that run alone; exits 1 when one fails, or when there is none.

A complete program is a ```c block whose first line is
"/* compile: COMMAND */", COMMAND being what a reader types, e.g.
  /* compile: cc -o echo echo.c $(pkg-config --cflags --libs skt) && ./echo */
The program is built with CC and FLAGS against the libraries that the
pkg-config names of COMMAND stand for (--lib skt=build/src/libskt.so, ...:
the tree's own), and when COMMAND goes on with "&& ./NAME ARGS" it is run
with ARGS and must exit with 0 within 30 seconds. The test
docs.code_blocks_compile runs this on docs/, so that the pages cannot
drift from the library."""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

COMPILE = re.compile(r"^/\* compile: (.*?) \*/$")
FENCE = re.compile(r"^(```+|~~~+)\s*\{?\s*\.?c\b")


def blocks(path):
    """(first line number, text) of each ```c block of a markdown file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start, i = m.group(1), i + 2, i + 1
        body = []
        while i < len(lines) and not (lines[i].startswith(fence)
                                      and not lines[i].strip(fence[0])):
            body.append(lines[i])
            i += 1
        i += 1
        yield start, "\n".join(body) + "\n"


def programs(folder):
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            path = os.path.join(root, name)
            for line, text in blocks(path):
                m = COMPILE.match(text.split("\n", 1)[0])
                if m:
                    yield path, line, m.group(1), text


def plan(command):
    """(program name, pkg-config names, run arguments or None)."""
    build, _, run = command.partition("&&")
    words = shlex.split(re.sub(r"\$\(([^)]*)\)", r" \1 ", build))
    name = None
    if "-o" in words[:-1]:
        name = words[words.index("-o") + 1]
    sources = [w for w in words if w.endswith(".c")]
    if name is None and sources:
        name = os.path.splitext(os.path.basename(sources[0]))[0]
    packages = []
    if "pkg-config" in words:
        packages = [w for w in words[words.index("pkg-config") + 1:]
                    if not w.startswith("-")]
    args = None
    run_words = shlex.split(run) if run.strip() else []
    if run_words and run_words[0] in (f"./{name}", name):
        args = run_words[1:]
    return name or "program", packages, args


def check(path, line, command, text, options, workdir):
    where = f"{os.path.relpath(path)}:{line}"
    name, packages, args = plan(command)
    libs = []
    for package in packages or ["skt"]:
        if package not in options.libs:
            return f"{where}: no library given for pkg-config '{package}'"
        libs.append(options.libs[package])
    if "skt" in options.libs and options.libs["skt"] not in libs:
        libs.append(options.libs["skt"])
    source = os.path.join(workdir, name + ".c")
    binary = os.path.join(workdir, name)
    with open(source, "w", encoding="utf-8") as f:
        f.write(text)
    build = [options.cc, *shlex.split(options.cflags), "-o", binary, source,
             *libs]
    result = subprocess.run(build, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0 or result.stderr.strip():
        return (f"{where}: {name} does not build:\n  {shlex.join(build)}\n"
                f"{result.stderr}")
    if args is None:
        print(f"{where}: {name} builds")
        return None
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(
        sorted({os.path.dirname(os.path.abspath(lib)) for lib in libs})))
    try:
        result = subprocess.run([binary, *args], capture_output=True,
                                text=True, timeout=30, cwd=workdir, env=env,
                                check=False)
    except subprocess.TimeoutExpired:
        return f"{where}: {name} {shlex.join(args)} ran over 30 seconds"
    if result.returncode != 0:
        return (f"{where}: {name} {shlex.join(args)} exited with "
                f"{result.returncode}:\n{result.stdout}{result.stderr}")
    print(f"{where}: {name} builds and runs")
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"))
    parser.add_argument("--cflags", default="-Wall -Wextra -Werror")
    parser.add_argument("--lib", action="append", default=[],
                        help="NAME=PATH: the library a pkg-config name means")
    parser.add_argument("folder")
    options = parser.parse_args()
    options.libs = dict(item.split("=", 1) for item in options.lib)
    found = list(programs(options.folder))
    if not found:
        print(f"doc-programs: no complete program in {options.folder}")
        return 1
    failures = []
    with tempfile.TemporaryDirectory(prefix="skt-doc-programs-") as tmp:
        for n, (path, line, command, text) in enumerate(found):
            workdir = os.path.join(tmp, str(n))
            os.mkdir(workdir)
            problem = check(path, line, command, text, options, workdir)
            if problem:
                failures.append(problem)
    for problem in failures:
        print(problem)
    print(f"doc-programs: {len(found)} programs, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
