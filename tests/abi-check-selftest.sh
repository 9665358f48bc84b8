#!/bin/sh
# abi-check-selftest.sh CC - scripts/abi-check itself, on a tiny shared
# library and a baseline recorded from it with abidw (as make abi-update
# does): the same library, and one whose code changed but not its ABI,
# pass; an exported addition fails as a compatible change to record; a
# removed function, a struct that changed layout and a changed parameter
# fail as incompatible; a new SONAME fails. Skips (77) without abigail.
set -eu
cc=${1:-cc}
here=$(cd "$(dirname "$0")" && pwd)
check="$here/../scripts/abi-check"
if ! command -v abidw >/dev/null 2>&1 ||
    ! command -v abidiff >/dev/null 2>&1; then
    echo "skip: abidw and abidiff (Debian's abigail-tools) are not installed"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir v1 v2

fail() {
    echo "FAIL: $*"
    [ ! -f out ] || cat out
    exit 1
}

# The first version: a header, a library with SONAME libtiny.so.0, and
# its baseline.
cat > v1/tiny.h <<'EOF'
struct tiny_opts { int size; int flags; };
int tiny_open(const struct tiny_opts *opts);
void tiny_close(int handle);
EOF
cat > v1/tiny.c <<'EOF'
#include "tiny.h"
int tiny_open(const struct tiny_opts *opts) { return opts->size; }
void tiny_close(int handle) { (void)handle; }
EOF
$cc -g -shared -fPIC -Iv1 -Wl,-soname,libtiny.so.0 v1/tiny.c -o v1/libtiny.so
abidw --headers-dir v1 --no-corpus-path --out-file tiny.abi v1/libtiny.so

# Builds v2/libtiny.so (SONAME $3, default libtiny.so.0) from the header
# text $1 and the source text $2.
build_v2() {
    printf '%s\n' "$1" > v2/tiny.h
    printf '#include "tiny.h"\n%s\n' "$2" > v2/tiny.c
    $cc -g -shared -fPIC -Iv2 -Wl,-soname,"${3:-libtiny.so.0}" v2/tiny.c \
        -o v2/libtiny.so
}

# Runs abi-check on v2; $1 is pass or fail, $2 a text its output must hold.
expect() {
    if sh "$check" tiny.abi v2/libtiny.so v2 > out 2>&1; then
        got=pass
    else
        got=fail
    fi
    [ "$got" = "$1" ] || fail "$case: abi-check should $1, did $got"
    grep -q "$2" out || fail "$case: the output does not say \"$2\""
    echo "ok: $case: abi-check said $1 (\"$2\")"
}

header='struct tiny_opts { int size; int flags; };
int tiny_open(const struct tiny_opts *opts);
void tiny_close(int handle);'
body='int tiny_open(const struct tiny_opts *opts) { return opts->size; }
void tiny_close(int handle) { (void)handle; }'

case="the same library"
build_v2 "$header" "$body"
expect pass "matches its baseline"

case="new code and a hidden helper, the same ABI"
build_v2 "$header" \
    '__attribute__((visibility("hidden"))) int twice(int x) { return 2 * x; }
int tiny_open(const struct tiny_opts *opts) { return twice(opts->flags); }
void tiny_close(int handle) { (void)twice(handle); }'
expect pass "matches its baseline"

case="an exported function added"
build_v2 "$header
int tiny_version(void);" "$body
int tiny_version(void) { return 2; }"
expect fail "compatible additions"
if grep -q INCOMPATIBLE out; then
    fail "$case: an addition is called incompatible"
fi

case="a function removed"
build_v2 'struct tiny_opts { int size; int flags; };
int tiny_open(const struct tiny_opts *opts);' \
    'int tiny_open(const struct tiny_opts *opts) { return opts->size; }'
expect fail "INCOMPATIBLE"

case="a struct field grown from int to long"
build_v2 'struct tiny_opts { int size; long flags; };
int tiny_open(const struct tiny_opts *opts);
void tiny_close(int handle);' "$body"
expect fail "INCOMPATIBLE"

case="a parameter added"
build_v2 'struct tiny_opts { int size; int flags; };
int tiny_open(const struct tiny_opts *opts, int mode);
void tiny_close(int handle);' \
    'int tiny_open(const struct tiny_opts *opts, int mode)
{ return opts->size + mode; }
void tiny_close(int handle) { (void)handle; }'
expect fail "INCOMPATIBLE"

case="a new SONAME"
build_v2 "$header" "$body" libtiny.so.1
expect fail "has SONAME libtiny.so.1"

echo "abi-check tells each change apart"
