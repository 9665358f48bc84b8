#!/bin/sh
# Scenario: when echo-client-any cannot connect to any address of
# "localhost" (a closed port), it exits 1 and stderr names every address
# it tried: 127.0.0.1:PORT, and [::1]:PORT too when localhost has ::1; at
# least one of them with "Connection refused".
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

closed_port
run 15 client "$examples/echo-client-any" localhost "$port" hello
[ "$status" -eq 1 ] || fail "echo-client-any exited $status, expected 1"
[ ! -s "$tmp/client.out" ] || fail "echo-client-any printed on stdout"
grep -q 'Connection refused' "$tmp/client.err" ||
    fail "no \"Connection refused\" on stderr"

# The addresses localhost has, as the system resolver gives them.
addresses=127.0.0.1
if command -v getent >/dev/null 2>&1; then
    addresses=$(getent ahosts localhost | awk '$2 == "STREAM" { print $1 }')
fi
[ -n "$addresses" ] || fail "localhost has no address"
for a in $addresses; do
    case $a in
    *:*) text="[$a]:$port" ;;
    *) text="$a:$port" ;;
    esac
    grep -Fq "$text" "$tmp/client.err" || fail "$text is not in stderr"
done
exit 0
