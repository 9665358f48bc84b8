#!/bin/sh
# Scenario: echo-client to a port nobody listens on exits 1, prints
# nothing on stdout, and says on stderr "Connection refused" with the
# address it tried (127.0.0.1:PORT).
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

closed_port
run 10 client "$examples/echo-client" 127.0.0.1 "$port" hello
[ "$status" -eq 1 ] || fail "echo-client exited $status, expected 1"
[ ! -s "$tmp/client.out" ] || fail "echo-client printed on stdout"
grep -F "127.0.0.1:$port" "$tmp/client.err" | grep -q 'Connection refused' ||
    fail "stderr lacks a line with 127.0.0.1:$port and Connection refused"
exit 0
