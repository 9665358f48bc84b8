#!/usr/bin/env python3
"""check-layers.py - hold the code to the layer map (src/LAYERS).

    check-layers.py LAYERS ROOT MANIFEST

LAYERS is the map: one layer a line (number, name, files or folders/),
continued on indented lines. ROOT is the source tree the map's paths are
relative to. MANIFEST lists the object files to check, one line per
target: the target's source folder (relative to ROOT), then its objects,
separated by spaces, as CMake's $<TARGET_OBJECTS> gives them.

Each object's defined and undefined symbols come from `nm`. A call is a
symbol one object leaves undefined and another defines: it goes up when
the caller's layer is lower than the callee's. Every upward call is
printed, naming both files, their layers and the function; so is every
object whose source is in no layer. The exit status is 1 if there was
any, else 0.
"""
import os
import subprocess
import sys


def read_layers(path):
    """Returns [(number, name, [entries])] in the order of the file."""
    layers = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if line[0].isspace():
                if not layers:
                    raise SystemExit(f"{path}: a continuation line first")
                layers[-1][2].extend(line.split())
                continue
            words = line.split()
            if len(words) < 2 or not words[0].isdigit():
                raise SystemExit(f"{path}: not 'NUMBER NAME FILES...': "
                                 f"{line.strip()}")
            layers.append((int(words[0]), words[1], words[2:]))
    return layers


def layer_of(source, layers):
    """The (number, name) of the layer holding source, or None."""
    for number, name, entries in layers:
        for entry in entries:
            if entry.endswith("/") and source.startswith(entry):
                return number, name
            if source == entry:
                return number, name
    return None


def object_source(folder, obj):
    """The source path (relative to ROOT) an object was compiled from.
    CMake names it <dir>/CMakeFiles/<target>.dir/<path>.o, with each ..
    of <path> written __."""
    rel = obj.split(".dir/", 1)[1]
    if rel.endswith(".o"):
        rel = rel[:-2]
    parts = [".." if p == "__" else p for p in rel.split("/")]
    return os.path.normpath(os.path.join(folder, *parts))


def read_manifest(path):
    """Returns [(source, object)]."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            folder, objects = words[0], words[1:]
            pairs.extend((object_source(folder, o), o) for o in objects)
    return pairs


def symbols(obj):
    """(defined, undefined) sets of the object's global symbols."""
    out = subprocess.run(["nm", "-P", obj], check=True, text=True,
                         capture_output=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        words = line.split()
        if len(words) < 2:
            continue
        name, kind = words[0], words[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, undefined


def check(layers, pairs):
    """Returns the list of problems, as sentences."""
    problems = []
    owner, uses, layer = {}, {}, {}
    for source, obj in pairs:
        found = layer_of(source, layers)
        if found is None:
            problems.append(f"{source} is in no layer of the map")
            continue
        layer[source] = found
        defined, undefined = symbols(obj)
        for name in defined:
            owner.setdefault(name, source)
        uses[source] = undefined
    for source in sorted(uses):
        for name in sorted(uses[source]):
            callee = owner.get(name)
            if callee is None or callee == source:
                continue
            low, high = layer[source], layer[callee]
            if low[0] < high[0]:
                problems.append(
                    f"{source} (layer {low[0]} {low[1]}) calls {name} of "
                    f"{callee} (layer {high[0]} {high[1]}): a call up "
                    f"the layers")
    return problems


def main(argv):
    if len(argv) != 4:
        print("usage: check-layers.py LAYERS ROOT MANIFEST", file=sys.stderr)
        return 2
    layers = read_layers(argv[1])
    os.chdir(argv[2])
    pairs = read_manifest(argv[3])
    if not pairs:
        print("layers: no object files in the manifest", file=sys.stderr)
        return 1
    problems = check(layers, pairs)
    for p in problems:
        print(f"layers: {p}")
    if not problems:
        print(f"layers: {len(pairs)} files, every call goes down the map")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
