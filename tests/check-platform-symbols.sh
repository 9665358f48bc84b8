#!/bin/sh
# check-platform-symbols.sh LIBRARY PLATFORM - the C library functions
# that only Linux (or only GNU's C library) has, looked for among the
# library's undefined symbols (nm -u). PLATFORM posix: fails naming every
# one it finds, since the posix platform must build on a system without
# them. PLATFORM linux: fails unless it finds some (epoll, accept4, ...),
# which proves that the check sees what it looks for.
set -eu
lib=$1
platform=$2

# Whole names, and prefixes ending in "*".
linux_only='accept4 dup3 pipe2 ppoll syscall
sendmmsg recvmmsg sendfile sendfile64 splice tee vmsplice
epoll_* eventfd* pidfd_* signalfd* timerfd_* inotify_* memfd_create
strerrordesc_np strerrorname_np memmem asprintf vasprintf'

undefined=$(nm -u "$lib" | awk 'NF >= 2 {print $2}' | sed 's/@.*//' |
            sort -u)
found=
for want in $linux_only; do
    case $want in
    *"*") hits=$(printf '%s\n' "$undefined" |
                 grep "^${want%\*}" || true) ;;
    *) hits=$(printf '%s\n' "$undefined" | grep -x "$want" || true) ;;
    esac
    found="$found $hits"
done
found=$(echo $found)

case $platform in
posix)
    if [ -n "$found" ]; then
        echo "the posix library references Linux-only symbols: $found" >&2
        exit 1
    fi
    echo "posix library: none of the Linux-only symbols is referenced"
    echo "(checked: $(echo $linux_only))" ;;
linux)
    if [ -z "$found" ]; then
        echo "the linux library references no Linux-only symbol: the" \
             "check cannot see them" >&2
        exit 1
    fi
    echo "linux library references, as expected: $found" ;;
*)
    echo "usage: $0 LIBRARY posix|linux" >&2
    exit 2 ;;
esac
