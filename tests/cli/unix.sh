#!/bin/sh
# -U: Unix stream sockets (a path, or @NAME for an abstract name) and,
# with -u, Unix datagrams, against socat and Python. A listener removes
# its socket file when it is done, and on SIGTERM (exit status 143). Run
# by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat

printf 'hello unix\n' >"$tmp/input"

# The client, against socat running tr (it answers after the half-close).
start server socat "UNIX-LISTEN:$tmp/sock" "EXEC:tr a-z A-Z"
server=$pid
wait_until 5 test -S "$tmp/sock" || fail "socat made no socket"
run 10 client skt_with "$tmp/input" -U "$tmp/sock"
expect_status 0 "skt -U"
expect_file "$tmp/client.out" "HELLO UNIX" "skt -U printed"
wait_exit "$server" 5

# The listener, with socat as the client; the file is gone afterwards.
start listener skt_with "$tmp/input" -U -l "$tmp/listen"
listener=$pid
wait_until 5 test -S "$tmp/listen" || fail "skt -U -l made no socket"
printf 'from socat\n' >"$tmp/socat-input"
run 10 peer sh -c 'exec socat - "UNIX-CONNECT:$0" <"$1"' "$tmp/listen" \
    "$tmp/socat-input"
expect_file "$tmp/peer.out" "hello unix" "socat printed"
wait_exit "$listener" 5
expect_status 0 "skt -U -l"
expect_file "$tmp/listener.out" "from socat" "skt -U -l printed"
[ ! -e "$tmp/listen" ] || fail "skt -U -l left its socket file"

# An abstract name (Linux's; a build for the posix platform refuses it
# with exit status 2 and the library's reason).
abstract_name=skt-cli-test-$$
start abstract skt_with "$tmp/input" -U -l "@$abstract_name"
abstract=$pid
# Nothing shows an abstract name in the file system: connect until it
# listens.
wait_until 5 eval 'socat - "ABSTRACT-CONNECT:$abstract_name" \
    <"$tmp/socat-input" >"$tmp/peer.out" 2>/dev/null ||
    ! kill -0 "$abstract" 2>/dev/null' ||
    fail "no abstract socket @$abstract_name"
if [ -s "$tmp/peer.out" ]; then
    expect_file "$tmp/peer.out" "hello unix" "socat printed (abstract)"
    wait_exit "$abstract" 5
    expect_file "$tmp/abstract.out" "from socat" "skt -U -l @name printed"
else
    wait_exit "$abstract" 5
    expect_status 2 "skt -U -l @name where abstract names are refused"
    expect_one_line "$tmp/abstract.err" \
        "this platform has Unix paths only" "no abstract socket: the line"
    echo "note: this build has no abstract Unix names (posix platform)" >&2
fi

# SIGTERM: exit 143 and the socket file removed.
start keep skt_with /dev/null -U -l -k "$tmp/keep"
keep=$pid
wait_until 5 test -S "$tmp/keep" || fail "skt -U -l -k made no socket"
kill -TERM "$keep"
wait_exit "$keep" 5
expect_status 143 "SIGTERM"
[ ! -e "$tmp/keep" ] || fail "SIGTERM left the socket file"

# Datagrams: skt -U -u sends to a Python echo server from an autobound
# name, and gets the answer.
need_python socket
cat >"$tmp/echo.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
data, sender = s.recvfrom(100)
s.sendto(data.upper(), sender)
PY
start echo "$python" "$tmp/echo.py" "$tmp/dgram"
echo=$pid
wait_line "$tmp/echo.out" "$echo" '^\(bound\)$'
run 10 dgram skt_with "$tmp/input" -U -u -i 0.5 "$tmp/dgram"
expect_status 0 "skt -U -u"
expect_file "$tmp/dgram.out" "HELLO UNIX" "the Unix datagram's answer"
wait_exit "$echo" 5
exit 0
