#!/bin/sh
# consumer.sh SKT_SOURCE - builds skt's libraries alone (no examples, tests
# or benchmarks), installs them into a temporary prefix, and builds, links
# and runs small programs against them every way a user would: pkg-config
# shared and static, CMake find_package, CMake add_subdirectory, and the
# header from C++.
set -eu
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=2

fail() {
    echo "FAIL: $*"
    exit 1
}

# Runs a program and checks its one line of output.
expect_run() {
    out=$("$@" 2>&1) || fail "$* exited $?: $out"
    case "$out" in
        *": ok"|*" bytes") echo "ok: $* -> $out" ;;
        *) fail "$*: unexpected output: $out" ;;
    esac
}

echo "== make install with only the build tools on PATH"
# The compiler and its binutils, cmake, make, pkg-config and a shell: no
# clang, Python, test peer or package tool.
mkdir "$work/bin"
for tool in cc gcc as ld ar ranlib cmake make pkg-config sh nproc; do
    path=$(command -v "$tool") || fail "no $tool on this machine"
    ln -s "$path" "$work/bin/$tool"
done
PATH="$work/bin" make -C "$src" install PREFIX="$work/prefix" \
    BUILD="$work/build" >"$work/log" 2>&1 || { cat "$work/log"; fail "install"; }
for f in include/skt.h include/skt_app.h lib/libskt.a lib/libskt.so.0 \
         lib/libskt_app.a lib/libskt_app.so.0 lib/pkgconfig/skt.pc \
         lib/pkgconfig/skt_app.pc lib/cmake/skt/sktConfig.cmake \
         lib/cmake/skt/sktConfigVersion.cmake; do
    [ -e "$work/prefix/$f" ] || fail "not installed: $f"
done
[ ! -e "$work/build/install/examples" ] || fail "examples were built"
echo "ok: installed, and nothing but the libraries was built"

echo "== pkg-config, shared"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc "$here/hello.c" $(pkg-config --cflags --libs skt) -o "$work/hello"
ldd "$work/hello" | grep -q 'libskt\.so\.0' || fail "hello is not on libskt.so"
LD_LIBRARY_PATH="$work/prefix/lib" expect_run "$work/hello"
# shellcheck disable=SC2046
cc "$here/app-hello.c" $(pkg-config --cflags --libs skt_app) \
    -o "$work/app-hello"
LD_LIBRARY_PATH="$work/prefix/lib" expect_run "$work/app-hello"

echo "== pkg-config --static, against a prefix with no shared libskt"
cp -a "$work/prefix" "$work/static"
rm -f "$work/static"/lib/libskt*.so*
export PKG_CONFIG_PATH="$work/static/lib/pkgconfig"
# shellcheck disable=SC2046
cc "$here/hello.c" $(pkg-config --cflags --static --libs skt) \
    -o "$work/hello-static" || fail "pkg-config --static does not link"
if ldd "$work/hello-static" | grep -q libskt; then
    fail "hello-static loads a shared libskt"
fi
expect_run "$work/hello-static"
unset PKG_CONFIG_PATH

echo "== CMake find_package(skt 0.1 REQUIRED)"
mkdir "$work/consumer"
cp "$here/hello.c" "$here/app-hello.c" "$work/consumer/"
cp "$here/CMakeLists.txt.in" "$work/consumer/CMakeLists.txt"
cmake -S "$work/consumer" -B "$work/by-package" -DMODE=package \
    -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "find_package"; }
cmake --build "$work/by-package" -j $jobs >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "build with find_package"; }
for p in hello-shared hello-static app-hello app-hello-static; do
    expect_run "$work/by-package/$p"
done

echo "== CMake add_subdirectory"
cmake -S "$work/consumer" -B "$work/by-subdir" -DMODE=subdirectory \
    -DSKT_SOURCE="$src" >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "add_subdirectory"; }
if cmake --build "$work/by-subdir" --target help | grep -q 'echo-server'
then
    fail "a subproject build offers the examples"
fi
cmake --build "$work/by-subdir" -j $jobs >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "build with add_subdirectory"; }
for p in hello-shared hello-static app-hello app-hello-static; do
    expect_run "$work/by-subdir/$p"
done

echo "== the header from C++ (g++ -std=c++11)"
if command -v g++ >/dev/null 2>&1; then
    export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
    # shellcheck disable=SC2046
    g++ -std=c++11 -Wall -Wextra -Werror -x c++ "$here/hello.c" -x none \
        $(pkg-config --cflags --libs skt) -o "$work/hello-cxx"
    LD_LIBRARY_PATH="$work/prefix/lib" expect_run "$work/hello-cxx"
else
    echo "skip: no g++ on this machine"
fi
echo "== make uninstall leaves the prefix empty"
make -C "$src" uninstall PREFIX="$work/prefix" BUILD="$work/build" \
    >"$work/log" 2>&1 || { cat "$work/log"; fail "uninstall"; }
left=$(find "$work/prefix" -mindepth 1)
[ -z "$left" ] || fail "uninstall left: $left"
echo "ok: uninstalled, the prefix is empty"
echo "all consumer builds work"
