#!/usr/bin/env python3
"""driver.py - skt's differential conformance suite: runs one group of
scenarios on skt (conformance-skt GROUP) and on Python's modules
(py/run.py GROUP), compares their lines (one per scenario: "name value")
and reports each mismatch as

    name: python=VALUE skt=VALUE

A difference is accepted only when the group's INTENDED table states skt's
line and the header's own reason ("Differs from Python: ..." at the
function named: the note's beginning, or the beginning of one of its
clauses after "; " or ". "), checked against include/skt.h and
include/skt_app.h; or
when its KNOWN_DEVIATIONS table lists it, which is printed loudly and
counted apart. A difference that only one platform of skt has (the posix
platform lacks Linux's features) is accepted on that platform alone, when
the group's PLATFORM table states skt's line there and the header's
"Platform: ..." note at the function named gives the reason, found the
same way; such an entry fails when the scenario matches Python. Any other
difference, a scenario missing on one side, or an intended or platform
difference the header does not mark, makes the exit status 1.

    driver.py --skt BIN [--platform P] GROUP
                                      run the group on both sides
    driver.py --compare PY SKT [--tables MODULE.py] [--platform P]
                                      compare two saved outputs

P is the platform skt was built for (CMake's SKT_PLATFORM): linux, the
default, or posix.
"""
import argparse
import collections
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEADERS = [os.path.join(ROOT, "include", "skt.h"),
           os.path.join(ROOT, "include", "skt_app.h")]
RUN_TIMEOUT = 110
PLATFORMS = ("linux", "posix")
PLATFORM_PHRASE = "Platform:"


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def header_notes(headers):
    """({name: [note text after "Differs from Python:", ...]},
    {name: [note text after "Platform:", ...]}) of the headers, found as
    scripts/differences.py finds them. A platform note ends where a
    "Differs from Python:" note or another platform note begins."""
    diff = load(os.path.join(ROOT, "scripts", "differences.py"),
                "differences")
    notes = collections.defaultdict(list)
    platform = collections.defaultdict(list)
    for header in headers:
        with open(header, encoding="utf-8") as f:
            text = f.read()
        for comment, after, struct in diff.comments(text):
            flat = diff.plain(comment)
            name = diff.name_of(comment, after, struct)
            start = flat.find(diff.PHRASE)
            if start >= 0:
                rest = flat[start + len(diff.PHRASE):].strip()
                notes[name].append(rest)
            for rest in platform_notes(flat, diff.PHRASE):
                platform[name].append(rest)
    return notes, platform


def platform_notes(flat, differs):
    """The text of each "Platform:" note of a flattened comment."""
    start = flat.find(PLATFORM_PHRASE)
    while start >= 0:
        rest = flat[start + len(PLATFORM_PHRASE):]
        ends = [i for i in (rest.find(differs), rest.find(PLATFORM_PHRASE))
                if i >= 0]
        yield rest[:min(ends)].strip() if ends else rest.strip()
        start = flat.find(PLATFORM_PHRASE, start + 1)


def squash(text):
    return " ".join(text.split())


def clauses(note):
    """The places a reason may start in a note: its beginning and each
    clause after "; " or ". " (a leading "and " skipped), since one note
    may give several differences of one function, each a clause of the
    sentence the docs page shows."""
    text = squash(note)
    yield text
    for sep in ("; ", ". "):
        start = text.find(sep)
        while start >= 0:
            clause = text[start + len(sep):]
            yield clause[4:] if clause.startswith("and ") else clause
            start = text.find(sep, start + 1)


def marked(notes, function, why):
    return any(clause.startswith(squash(why))
               for note in notes.get(function, []) for clause in clauses(note))


def parse(text, side, problems):
    lines = collections.OrderedDict()
    for raw in text.splitlines():
        if not raw.strip():
            continue
        name, _, value = raw.partition(" ")
        if name in lines:
            problems.append(f"{name}: printed twice by {side}")
        lines[name] = value
    return lines


def platform_table(tables, platform, names, failures):
    """The group's PLATFORM entries for this platform; a platform the
    driver does not know, or an entry naming no scenario, is a failure."""
    table = getattr(tables, "PLATFORM", {})
    for other in table:
        if other not in PLATFORMS:
            failures.append(f"PLATFORM: unknown platform '{other}' (the "
                            f"platforms are {', '.join(PLATFORMS)})")
    mine = table.get(platform, {})
    for name in mine:
        if name not in names:
            failures.append(f"{name}: in PLATFORM['{platform}'] but no "
                            "such scenario ran")
    return mine


def check_platform(line, s, p, entry, platform, notes, failures, seen):
    """A scenario listed in the PLATFORM table of this platform: accepted
    only with the stated skt line, a difference from Python, and the
    header's note."""
    want, function, why = entry
    if s != want:
        failures.append(line + f" (platform {platform} skt={want})")
    elif p == s:
        failures.append(line + f" (listed as a {platform} platform "
                        "difference, but matches Python: its entry can go)")
    elif not marked(notes, function, why):
        failures.append(line + f" (platform {platform}, but {function} has "
                        f"no 'Platform: {why}' in the header)")
    else:
        seen.append(f"{line}\n    {function}: Platform: {why}")


def compare(py_text, skt_text, tables, notes, platform="linux",
            out=sys.stdout):
    """Prints the report; returns the number of failures. notes is
    header_notes()'s pair; platform the one skt was built for."""
    failures = []
    differs, platform_marks = notes
    py = parse(py_text, "python", failures)
    sk = parse(skt_text, "skt", failures)
    intended = getattr(tables, "INTENDED", {})
    known = getattr(tables, "KNOWN_DEVIATIONS", {})
    names = list(py) + [n for n in sk if n not in py]
    here = platform_table(tables, platform, names, failures)
    seen_intended, seen_platform, seen_known, notes_out = [], [], [], []
    areas = collections.Counter(n.split(".")[0] for n in names)
    for name in names:
        p, s = py.get(name, "<missing>"), sk.get(name, "<missing>")
        line = f"{name}: python={p} skt={s}"
        if name not in py or name not in sk:
            failures.append(line)
        elif name in here:
            check_platform(line, s, p, here[name], platform, platform_marks,
                           failures, seen_platform)
        elif p == s:
            if name in intended or name in known:
                notes_out.append(f"note: {name} now matches Python; its "
                                 "table entry can go: " + line)
        elif name in intended:
            want, function, why = intended[name]
            if s != want:
                failures.append(line + f" (intended skt={want})")
            elif not marked(differs, function, why):
                failures.append(line + f" (intended, but {function} has no "
                                f"'Differs from Python: {why}' in the header)")
            else:
                seen_intended.append(f"{line}\n    {function}: Differs from "
                                     f"Python: {why}")
        elif name in known:
            want, issue = known[name]
            if s != want:
                failures.append(line + f" (known deviation skt={want})")
            else:
                seen_known.append(f"{line}\n    {issue}")
        else:
            failures.append(line)
    for entry in seen_intended:
        print("intended: " + entry, file=out)
    for entry in seen_platform:
        print("platform: " + entry, file=out)
    for entry in seen_known:
        print("!!! KNOWN_DEVIATION: " + entry, file=out)
    for entry in notes_out:
        print(entry, file=out)
    for entry in failures:
        print(entry, file=out)
    unmatched = [f for f in failures if f.split(":")[0] in names]
    matched = (len(names) - len(seen_intended) - len(seen_platform)
               - len(seen_known) - len(unmatched))
    print(f"{len(names)} scenarios on {platform} ("
          + ", ".join(f"{a} {c}" for a, c in sorted(areas.items()))
          + f"): {matched} match, {len(seen_intended)} intended differences, "
          f"{len(seen_platform)} platform differences, "
          f"{len(seen_known)} KNOWN DEVIATIONS, {len(failures)} failures",
          file=out)
    return len(failures)


def run_side(argv, env):
    """(stdout, problem): problem is None when the program exited 0 with
    nothing on stderr (a leaked fd, a sanitizer report, a crash...)."""
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env,
                              timeout=RUN_TIMEOUT, text=True)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout
        return out or "", f"{argv[0]}: killed after {RUN_TIMEOUT} s"
    if done.returncode != 0 or done.stderr:
        return done.stdout, (f"{' '.join(argv)}: exit status "
                             f"{done.returncode}\n{done.stderr}")
    return done.stdout, None


def make_certs(directory):
    script = os.path.join(ROOT, "tests", "peers", "make-certs.sh")
    done = subprocess.run(["sh", script, directory], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)
    return done.returncode == 0


def run_group(skt_bin, group, platform):
    env = dict(os.environ)
    env.pop("SSLKEYLOGFILE", None)
    with tempfile.TemporaryDirectory(prefix="skt-conf-certs-") as certs:
        if group.startswith("tls") and make_certs(certs):
            env["SKT_CONF_CERTS"] = certs
        py_out, py_problem = run_side(
            [sys.executable, os.path.join(HERE, "py", "run.py"), group], env)
        skt_out, skt_problem = run_side([skt_bin, group], env)
    tables = load(os.path.join(HERE, "py", group + ".py"), "tables_" + group)
    failed = compare(py_out, skt_out, tables, header_notes(HEADERS),
                     platform)
    for problem in (py_problem, skt_problem):
        if problem:
            print(problem.rstrip(), file=sys.stderr)
            failed += 1
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skt", help="the conformance-skt program")
    ap.add_argument("--compare", nargs=2, metavar=("PY", "SKT"))
    ap.add_argument("--tables", help="a module with INTENDED, "
                    "KNOWN_DEVIATIONS and PLATFORM (with --compare)")
    ap.add_argument("--headers", nargs="+", default=HEADERS)
    ap.add_argument("--platform", choices=PLATFORMS, default="linux",
                    help="the platform skt was built for (SKT_PLATFORM)")
    ap.add_argument("group", nargs="?")
    args = ap.parse_args()
    if args.compare:
        with open(args.compare[0]) as f:
            py_text = f.read()
        with open(args.compare[1]) as f:
            skt_text = f.read()
        tables = load(args.tables, "tables") if args.tables else None
        failed = compare(py_text, skt_text, tables,
                         header_notes(args.headers), args.platform)
    elif args.skt and args.group:
        sys.path.insert(0, os.path.join(HERE, "py"))
        failed = run_group(args.skt, args.group, args.platform)
    else:
        ap.error("give --skt BIN GROUP or --compare PY SKT")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
