#!/bin/sh
# consumer.sh SKT_SOURCE - builds skt's libraries and tool alone (no
# examples, tests or benchmarks), installs them into a temporary prefix,
# checks the manual is in place for man(1), and builds, links and runs
# small programs against them every way a user would: pkg-config shared
# and static, CMake find_package (with and without cJSON, whose package
# only the component skt_app needs), CMake add_subdirectory, and the
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
         lib/cmake/skt/sktConfigVersion.cmake lib/cmake/skt/sktTargets.cmake \
         lib/cmake/skt/skt_appTargets.cmake bin/skt share/man/man1/skt.1 \
         share/man/man3/skt_create_connection.3 share/man/man7/skt.7; do
    [ -e "$work/prefix/$f" ] || fail "not installed: $f"
done
[ ! -e "$work/build/install/examples" ] || fail "examples were built"
echo "ok: installed, and nothing but the libraries and the tool was built"

echo "== the manual, as man(1) finds it in the prefix"
command -v man >/dev/null 2>&1 ||
    fail "no man on this machine (scripts/install-deps test installs man-db)"
man_dir="$work/prefix/share/man"
# Each page is found in the prefix (not elsewhere) and renders.
for page in 3:skt_create_connection 7:skt 1:skt; do
    section=${page%%:*}
    name=${page#*:}
    where=$(man -M "$man_dir" -w "$section" "$name" 2>&1) ||
        fail "man -M $man_dir $section $name: $where"
    case "$where" in
        "$man_dir/man$section/$name.$section"*) ;;
        *) fail "man $section $name found $where, not the installed page" ;;
    esac
    MANWIDTH=80 man -M "$man_dir" -P cat "$section" "$name" 2>/dev/null |
        grep -q "^NAME" || fail "man $section $name does not render"
done
"$work/prefix/bin/skt" --help >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "the installed skt --help"; }
echo "ok: man finds skt_create_connection(3), skt(7) and skt(1); skt runs"

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

# Configures the consumer into $work/$1 with find_package and the
# options that follow; its output is in $work/log.
configure_package() {
    tree=$1
    shift
    cmake -S "$work/consumer" -B "$work/$tree" -DMODE=package \
        -DCMAKE_PREFIX_PATH="$work/prefix" "$@" >"$work/log" 2>&1
}

echo "== CMake find_package(skt 0.2 REQUIRED)"
mkdir "$work/consumer"
cp "$here/hello.c" "$here/app-hello.c" "$work/consumer/"
cp "$here/CMakeLists.txt.in" "$work/consumer/CMakeLists.txt"
configure_package by-package -DREQUIRE_APP=ON ||
    { cat "$work/log"; fail "find_package"; }
cmake --build "$work/by-package" -j $jobs >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "build with find_package"; }
for p in hello-shared hello-static app-hello app-hello-static; do
    expect_run "$work/by-package/$p"
done

echo "== CMake find_package(skt 0.2 REQUIRED COMPONENTS skt_app)"
configure_package by-component -DCOMPONENTS=skt_app -DREQUIRE_APP=ON ||
    { cat "$work/log"; fail "find_package with the component skt_app"; }
echo "ok: the component skt_app is found"

echo "== CMake find_package(skt 0.2 REQUIRED) where cJSON cannot be found"
# skt::skt needs no cJSON: its targets load, and skt_app's do not.
configure_package by-package-no-cjson -DREQUIRE_APP=OFF \
    -DCMAKE_DISABLE_FIND_PACKAGE_cJSON=TRUE ||
    { cat "$work/log"; fail "find_package without cJSON"; }
cmake --build "$work/by-package-no-cjson" -j $jobs >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "build with find_package without cJSON"; }
for p in hello-shared hello-static; do
    expect_run "$work/by-package-no-cjson/$p"
done
[ ! -e "$work/by-package-no-cjson/app-hello" ] ||
    fail "app-hello was built without cJSON"
# Asking for skt_app there fails, and says that cJSON is what is missing.
if configure_package by-component-no-cjson -DCOMPONENTS=skt_app \
    -DCMAKE_DISABLE_FIND_PACKAGE_cJSON=TRUE; then
    fail "the component skt_app was found without cJSON"
fi
grep -q "skt_app needs cJSON" "$work/log" ||
    { cat "$work/log"; fail "the failure does not name cJSON"; }
echo "ok: without cJSON, skt::skt works and the component skt_app is refused"

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
