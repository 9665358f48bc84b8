#!/bin/sh
# check-layers-selftest.sh CC - the layers checker itself: a map with a
# call that goes down passes; the same files with a call added that goes
# up fail, and the failure names the caller, the function and the callee.
set -eu
cc=${1:-cc}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib" "$work/obj/CMakeFiles/t.dir"
cd "$work"

cat > LAYERS <<'MAP'
# A map of two layers.
0 bottom lib/low.c
1 top    lib/high.c
MAP
printf 'int skt__low(void) { return 1; }\n' > lib/low.c
printf 'int skt__low(void);\nint skt__high(void) { return skt__low(); }\n' \
    > lib/high.c
o=obj/CMakeFiles/t.dir
$cc -c lib/low.c -o $o/low.c.o
$cc -c lib/high.c -o $o/high.c.o
echo "lib $work/$o/low.c.o $work/$o/high.c.o" > manifest

# A call down the map passes.
python3 "$here/check-layers.py" LAYERS "$work" manifest > out 2>&1 || {
    echo "FAIL: a downward call was refused:"; cat out; exit 1; }

# A call up the map (the bottom calling the top) fails, named.
printf 'int skt__high(void);\nint skt__low(void) { return skt__high(); }\n' \
    > lib/low.c
$cc -c lib/low.c -o $o/low.c.o
if python3 "$here/check-layers.py" LAYERS "$work" manifest > out 2>&1; then
    echo "FAIL: an upward call passed:"; cat out; exit 1
fi
grep -q 'lib/low.c (layer 0 bottom) calls skt__high of lib/high.c (layer 1 top)' out || {
    echo "FAIL: the upward call is not named:"; cat out; exit 1; }

# A file the map does not place fails too.
printf '0 bottom lib/low.c\n' > LAYERS
if python3 "$here/check-layers.py" LAYERS "$work" manifest > out 2>&1; then
    echo "FAIL: a file in no layer passed:"; cat out; exit 1
fi
grep -q 'lib/high.c is in no layer' out || {
    echo "FAIL: the unplaced file is not named:"; cat out; exit 1; }
echo "ok: downward call passes; upward call and unplaced file fail, named"
