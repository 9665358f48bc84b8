#!/bin/sh
# Scenario: echo-server takes numeric addresses only. A host name (one that
# does not exist, and "localhost", which would resolve) and bad ports
# (70000, -1, "http") each make it exit 1 at once with a message on stderr,
# without ever listening.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# rejects HOST PORT: echo-server HOST PORT must fail cleanly.
rejects() {
    run 5 server "$examples/echo-server" "$1" "$2"
    [ "$status" -eq 1 ] || fail "echo-server $1 $2 exited $status, expected 1"
    [ ! -s "$tmp/server.out" ] || fail "echo-server $1 $2 printed on stdout"
    grep -q '^echo-server: ..' "$tmp/server.err" ||
        fail "echo-server $1 $2 gave no error message"
}

rejects no.such.host 5000
rejects localhost 5000
rejects 127.0.0.1 70000
rejects 127.0.0.1 -1
rejects 127.0.0.1 http
exit 0
