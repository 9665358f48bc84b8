#!/bin/sh
# -w over the TLS handshake. As a client, against a TCP peer (Python's
# socket) that accepts and never speaks TLS: skt --tls -w 1 gives up
# after 1 s with status 4 and one line naming the handshake. As a
# listener (-l --tls -w 1, -w bounding each client's handshake): without
# -k, such a client ends skt with status 4 after 1 s; with -k, it is
# dropped after 1 s (its connection closed, a line on stderr) and the
# next client, ncat --ssl-verify, is served (its data printed). Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat
make_certs
printf 'hello\n' >"$tmp/input"
key="--cert $certs/server.pem --key $certs/server.key"

# The client: the peer accepts and says nothing for 10 s.
start_peer peer silent
peer=$pid
begin=$(now)
run 5 client skt_with "$tmp/input" --tls -w 1 --cafile "$certs/ca.pem" \
    localhost "$port"
elapsed_since "$begin"
expect_status 4 "--tls -w 1 against a peer that never speaks TLS"
between "$elapsed" 1 1.8 "--tls -w 1's time"
want="^skt: TLS handshake with 127\\.0\\.0\\.1:$port \\(server name "
want="${want}localhost\\): .*timed out\$"
expect_one_line "$tmp/client.err" "$want" "--tls -w 1's failure"
expect_empty "$tmp/client.out" "--tls -w 1's stdout"
stop "$peer"

# The listener without -k: its one client never handshakes.
# shellcheck disable=SC2086 # $key is two options
listen_skt server /dev/null --tls -w 1 $key 127.0.0.1 0
server=$pid
start_client silent "$port" - 5
silent=$pid
begin=$(now)
wait_exit "$server" 5
elapsed_since "$begin"
expect_status 4 "-l --tls -w 1, a client that never handshakes"
between "$elapsed" 0.9 1.8 "-l --tls -w 1's time"
want='^skt: TLS handshake with 127\.0\.0\.1:[0-9]+: .*timed out$'
expect_line "$tmp/server.err" "$want" "-l --tls -w 1's failure"
wait_exit "$silent" 5

# With -k: the silent client is dropped, the next one served.
# shellcheck disable=SC2086
listen_skt server /dev/null -k --tls -w 1 $key 127.0.0.1 0
server=$pid
begin=$(now)
start_client silent "$port" - 5
silent=$pid
sleep 0.2
run 10 ncat sh -c 'exec ncat --ssl --ssl-verify --ssl-trustfile \
    "$0" localhost "$1" <"$2"' "$certs/ca.pem" "$port" "$tmp/input"
expect_status 0 "ncat --ssl-verify after a silent client"
wait_lines "$tmp/server.out" 1 "$server"
expect_file "$tmp/server.out" "hello" "-k printed the next client's data"
wait_exit "$silent" 5
elapsed_since "$begin"
expect_line "$tmp/silent.out" '^eof$' "the silent client was not closed"
between "$elapsed" 0.9 2.5 "the silent client's time"
want='^skt: TLS handshake with 127\.0\.0\.1:[0-9]+: .*timed out$'
expect_line "$tmp/server.err" "$want" "-k: the silent client's line"
kill -0 "$server" 2>/dev/null || fail "skt -l -k exited: $(cat "$tmp/server.err")"
stop "$server"
exit 0
