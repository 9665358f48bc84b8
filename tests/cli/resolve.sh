#!/bin/sh
# skt resolve prints the resolver's answer in its order, the same as
# Python's socket.getaddrinfo gives for the same question, one line per
# address (family, type, address), then the time it took. -4, -u, a PORT
# and --canon shape the question and the lines. Run by CTest as: sh THIS
# SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python socket

cat >"$tmp/gai.py" <<'PY'
import socket, sys
families = {socket.AF_INET: "IPv4", socket.AF_INET6: "IPv6"}
types = {socket.SOCK_STREAM: "stream", socket.SOCK_DGRAM: "dgram",
         socket.SOCK_RAW: "raw"}
name, port, family, kind = sys.argv[1], sys.argv[2] or None, 0, 0
if "-4" in sys.argv: family = socket.AF_INET
if "-u" in sys.argv: kind = socket.SOCK_DGRAM
for fam, typ, _, _, addr in socket.getaddrinfo(name, port, family, kind):
    host = addr[0] if fam == socket.AF_INET else "[%s]" % addr[0]
    text = "%s:%d" % (host, addr[1]) if port else addr[0]
    print("%-5s %-7s %s" % (families[fam], types[typ], text))
PY

# compare NAME PORT OPTION...: skt resolve against Python.
compare() {
    question=$1
    qport=$2
    shift 2
    run 10 skt "$skt" resolve "$@" "$question" ${qport:+"$qport"}
    expect_status 0 "skt resolve $* $question $qport"
    "$python" "$tmp/gai.py" "$question" "$qport" "$@" >"$tmp/python.out"
    sed '$d' "$tmp/skt.out" >"$tmp/answer"
    cmp -s "$tmp/answer" "$tmp/python.out" ||
        fail "skt resolve $* $question $qport differs from Python's answer"
    tail -n 1 "$tmp/skt.out" |
        grep -Eq "^resolved $question in [0-9.]+ (ms|s)\$" ||
        fail "skt resolve $* $question $qport: no time line"
}

compare localhost ""
compare localhost 80
compare localhost 53 -4 -u
compare ::1 80 -n
compare 127.0.0.1 http

run 10 canon "$skt" resolve --canon -4 localhost
expect_status 0 "--canon"
expect_line "$tmp/canon.out" '^IPv4  stream  127\.0\.0\.1  [A-Za-z0-9.-]+$' \
    "--canon: the canonical name"
exit 0
