#!/bin/sh
# Scenario: the examples build as a user who copied them builds them, from
# an installed skt found with pkg-config. The libraries are built without
# sanitizers in a tree of their own (no examples, tests, benchmarks, fuzz
# targets or tool) and installed into a scratch prefix. Then each program
# of examples/CMakeLists.txt is copied alone into an empty folder, with
# only the helper files it includes (a helper header, and the .c of the
# same name beside it if there is one; each says at its top that it is a
# helper, and no program includes another's .c), and built there with the
# line its header comment gives ("cc -o NAME NAME.c $(pkg-config ...)");
# it must build and answer --help. Last, examples/Makefile, in a copy of
# examples/, builds every program with -Wall -Wextra -Werror, and make
# clean removes them. Skipped without cmake, cc, make or pkg-config.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

src=$(cd "$(dirname "$0")/../.." && pwd)
for tool in cmake cc make pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || skip "no $tool on this machine"
done

# The library alone, installed; its log is in a subdirectory (see fail).
mkdir "$tmp/log"
# library_install: builds the library alone and installs it in $tmp/prefix.
library_install() {
    cmake -S "$src" -B "$tmp/build" -DSKT_BUILD_EXAMPLES=OFF \
        -DSKT_BUILD_TESTS=OFF -DSKT_BUILD_BENCH=OFF -DSKT_BUILD_FUZZ=OFF \
        -DSKT_BUILD_TOOLS=OFF &&
        cmake --build "$tmp/build" -j 2 &&
        cmake --install "$tmp/build" --prefix "$tmp/prefix"
}
if ! library_install >"$tmp/log/cmake" 2>&1; then
    tail -n 30 "$tmp/log/cmake" >"$tmp/install.log"
    fail "the library did not build and install"
fi
PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig
LD_LIBRARY_PATH=$tmp/prefix/lib
export PKG_CONFIG_PATH LD_LIBRARY_PATH
pkg-config --exists skt skt_app || fail "pkg-config does not find skt"

# The programs, as CMake lists them: the lines between "set(SKT_EXAMPLES"
# and ")".
programs=$(sed -n '/^set(SKT_EXAMPLES/,/^)/p' "$src/examples/CMakeLists.txt" |
    sed '1d;$d')
[ -n "$programs" ] || fail "no programs in examples/CMakeLists.txt"

# helper_files FILE: the local files FILE includes (#include "x.h"), each
# followed by the .c of the same name when there is one.
helper_files() {
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$1" | while read -r header; do
        echo "$header"
        [ ! -f "$src/examples/${header%.h}.c" ] || echo "${header%.h}.c"
    done
}

# build_line FILE: the build command of FILE's header comment, its
# continuation lines joined: from the line " *     cc -o " to the first
# line that does not end in a backslash.
build_line() {
    awk '/^ \*     cc -o / { on = 1 }
         on { line = $0; sub(/^ \*  */, "", line)
              more = sub(/\\$/, "", line); printf "%s ", line
              if (!more) exit }' "$1"
}

for name in $programs; do
    dir=$tmp/alone/$name
    mkdir -p "$dir"
    cp "$src/examples/$name.c" "$dir/"
    for helper in $(helper_files "$src/examples/$name.c"); do
        # A helper is a header, or the .c beside one, and says so at its
        # top; no program includes another program's .c file.
        case $helper in
        *.h) ;;
        *) [ -f "$src/examples/${helper%.c}.h" ] ||
            fail "$name.c includes $helper, which is not a header" ;;
        esac
        head -n 3 "$src/examples/$helper" |
            grep -q 'a helper \(header\|file\) of the examples' ||
            fail "$helper does not say at its top that it is a helper"
        cp "$src/examples/$helper" "$dir/"
    done
    line=$(build_line "$src/examples/$name.c")
    case $line in
    "cc -o $name $name.c "*) ;;
    *) fail "$name.c gives no build line (\" *     cc -o $name $name.c\")" ;;
    esac
    (cd "$dir" && sh -c "$line") >"$tmp/cc.out" 2>&1 ||
        fail "$name did not build alone with: $line"
    "$dir/$name" --help >"$tmp/help.out" 2>&1 ||
        fail "$name, built alone, does not answer --help"
done

# The Makefile, in a copy of examples/ (its sources: no program built
# there before), with every warning an error.
mkdir "$tmp/make"
cp "$src/examples/Makefile" "$src"/examples/*.c "$src"/examples/*.h \
    "$tmp/make/"
make -C "$tmp/make" -j 2 CFLAGS="-O2 -Wall -Wextra -Werror" \
    >"$tmp/make.out" 2>&1 || fail "make in a copy of examples/ failed"
for name in $programs; do
    [ -x "$tmp/make/$name" ] || fail "the Makefile did not build $name"
    "$tmp/make/$name" --help >"$tmp/help.out" 2>&1 ||
        fail "$name, built by the Makefile, does not answer --help"
done
make -C "$tmp/make" clean >"$tmp/make.out" 2>&1 || fail "make clean failed"
for name in $programs; do
    [ ! -e "$tmp/make/$name" ] || fail "make clean left $name"
done
exit 0
