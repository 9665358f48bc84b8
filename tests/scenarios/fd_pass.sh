#!/bin/sh
# Scenario: fd-pass opens a file in the parent, passes the fd over a Unix
# socket, and the child prints the file's bytes (binary ones included)
# read through that fd; exit 0, nothing on stderr. A missing file makes
# both sides fail cleanly: exit 1, the reason on stderr, no hang.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

printf 'first line\n\001\002\377 binary\nlast line without newline' \
    >"$tmp/file"
"$examples/fd-pass" "$tmp/file" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] || fail "fd-pass exited $status"
[ ! -s "$tmp/err" ] || fail "fd-pass wrote to stderr"
{
    printf 'parent: sent the fd of %s\n' "$tmp/file"
    printf 'child: received 1 fd; the file holds:\n'
    cat "$tmp/file"
} >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/out" || fail "wrong output"

"$examples/fd-pass" "$tmp/missing" >"$tmp/out2" 2>"$tmp/err2"
status=$?
[ "$status" -eq 1 ] || fail "fd-pass on a missing file exited $status"
grep -q 'No such file' "$tmp/err2" || fail "no reason on stderr"
[ ! -s "$tmp/out2" ] || fail "fd-pass on a missing file wrote to stdout"
exit 0
