#!/bin/sh
# --proxy: through dante and microsocks (SOCKS5; microsocks also with
# user/password) and tinyproxy (HTTP CONNECT, without and with Basic
# authentication), each started here on a loopback port with its own
# configuration. The data goes both ways; through dante, which carries a
# half-close, as request and response (microsocks and tinyproxy end the
# whole tunnel at the first EOF, so there the peer speaks first and skt
# keeps its write side open). A name is resolved by the proxy; TLS runs
# through the tunnel, verified against HOST; skt send goes through it
# too. A proxy's refusal is one line naming the proxy and its reason (the
# SOCKS5 reply's meaning, the HTTP status line), exit status 1; a proxy
# that never answers ends at -w with exit status 4. Run by CTest as: sh
# THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need microsocks "microsocks (Debian's microsocks, a SOCKS5 proxy) is not \
installed"
need danted "danted (Debian's dante-server, a SOCKS5 proxy) is not installed"
need tinyproxy "tinyproxy (Debian's tinyproxy, an HTTP proxy) is not \
installed"
need_python socket
printf 'through the proxy\n' >"$tmp/input"

# socks PORT [USER PASS]: microsocks on 127.0.0.1:PORT, as $pid.
socks() {
    if [ $# -eq 3 ]; then
        start "socks$1" microsocks -i 127.0.0.1 -p "$1" -u "$2" -P "$3"
    else
        start "socks$1" microsocks -i 127.0.0.1 -p "$1"
    fi
    wait_port t "$1" "$pid"
}

# http_proxy PORT [USER PASS]: tinyproxy on 127.0.0.1:PORT (every port
# may be tunnelled to), as $pid.
http_proxy() {
    cat >"$tmp/tinyproxy$1.conf" <<EOF
Port $1
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 10
MaxClients 20
LogLevel Warning
DisableViaHeader Yes
EOF
    [ $# -eq 3 ] && echo "BasicAuth $2 $3" >>"$tmp/tinyproxy$1.conf"
    start "tinyproxy$1" tinyproxy -d -c "$tmp/tinyproxy$1.conf"
    wait_port t "$1" "$pid"
}

# dante PORT: danted on 127.0.0.1:PORT, no authentication, as $pid.
dante() {
    cat >"$tmp/dante$1.conf" <<EOF
logoutput: stderr
internal: 127.0.0.1 port = $1
external: 127.0.0.1
socksmethod: none
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
EOF
    start "dante$1" danted -f "$tmp/dante$1.conf" -N 1 -p "$tmp/dante$1.pid"
    wait_port t "$1" "$pid"
}

# answer NAME: lib/peer.py answering "ANSWER" after the client's EOF.
answer() {
    start_peer "$1" answer ANSWER
}

# through WHAT ARGUMENT...: skt ARGUMENT... <input, as request and
# response through a proxy that carries the half-close.
through() {
    what=$1
    shift
    answer target
    target=$pid
    run 10 client skt_with "$tmp/input" "$@" 127.0.0.1 "$port"
    expect_status 0 "$what"
    expect_file "$tmp/client.out" "ANSWER" "$what: the answer"
    wait_exit "$target" 5
    expect_line "$tmp/target.out" "^got b'through the proxy\\\\n'\$" \
        "$what: what the peer got"
}

# both_ways WHAT ARGUMENT...: skt --no-shutdown ARGUMENT... <input against
# a peer that greets first, reads for 0.5 s and closes.
both_ways() {
    what=$1
    shift
    start_peer target greet HELLO
    target=$pid
    run 10 client skt_with "$tmp/input" --no-shutdown "$@" 127.0.0.1 \
        "$port"
    expect_status 0 "$what"
    expect_file "$tmp/client.out" "HELLO" "$what: the greeting"
    wait_exit "$target" 5
    expect_line "$tmp/target.out" "^got b'through the proxy\\\\n'\$" \
        "$what: what the peer got"
}

free_port
dante_port=$port
dante "$dante_port"
free_port
socks_plain=$port
socks "$socks_plain"
free_port
socks_auth=$port
socks "$socks_auth" alice s3cret
free_port
http_plain=$port
http_proxy "$http_plain"
free_port
http_auth=$port
http_proxy "$http_auth" alice s3cret

# The tunnel, each kind, both ways.
through "SOCKS5 (dante)" --proxy "127.0.0.1:$dante_port"
through "SOCKS5 (dante) with -v" -v --proxy "127.0.0.1:$dante_port" \
    --proxy-type socks5
want="^skt: proxy 127\\.0\\.0\\.1:$dante_port: tunnel to 127\\.0\\.0\\.1 "
expect_line "$tmp/client.err" "${want}port $port open in " \
    "-v: the tunnel's line"
expect_line "$tmp/client.err" "^skt: 127\\.0\\.0\\.1:$dante_port: connected" \
    "-v: the proxy's address"
both_ways "SOCKS5 (microsocks)" --proxy "127.0.0.1:$socks_plain"
both_ways "SOCKS5 with user/password" --proxy "127.0.0.1:$socks_auth" \
    --proxy-auth alice:s3cret
both_ways "HTTP CONNECT" --proxy "127.0.0.1:$http_plain" --proxy-type http
both_ways "HTTP CONNECT with Basic" --proxy "127.0.0.1:$http_auth" \
    --proxy-type http --proxy-auth alice:s3cret

# The name goes to the proxy, which resolves it.
answer target
target=$pid
run 10 client skt_with "$tmp/input" --proxy "127.0.0.1:$dante_port" \
    localhost "$port"
expect_status 0 "SOCKS5 to a name"
expect_file "$tmp/client.out" "ANSWER" "SOCKS5 to a name: the answer"
wait_exit "$target" 5

# skt send goes through the proxy too (the file's checksum verified).
mkdir "$tmp/received"
printf 'a file through the proxy\n' >"$tmp/file.txt"
listen_with recv /dev/null recv -l 127.0.0.1 0 "$tmp/received"
recv=$pid
run 10 send "$skt" send --proxy "127.0.0.1:$dante_port" 127.0.0.1 "$port" \
    "$tmp/file.txt"
expect_status 0 "skt send through SOCKS5"
wait_exit "$recv" 5
expect_status 0 "skt recv of a file sent through SOCKS5"
cmp -s "$tmp/file.txt" "$tmp/received/file.txt" ||
    fail "the file received through the proxy differs"

# refused WHAT ERE ARGUMENT...: exit status 1 and the one line ERE.
refused() {
    what=$1
    want=$2
    shift 2
    run 10 client skt_with "$tmp/input" "$@"
    expect_status 1 "$what"
    expect_empty "$tmp/client.out" "$what: stdout"
    expect_one_line "$tmp/client.err" "^skt: $want" "$what: the reason"
}
free_port
closed=$port
want="proxy 127\\.0\\.0\\.1:$socks_plain: SOCKS5 reply 5 to the connection"
refused "SOCKS5 to a closed port" \
    "$want to 127\\.0\\.0\\.1 port $closed: connection refused\$" \
    --proxy "127.0.0.1:$socks_plain" 127.0.0.1 "$closed"
want="proxy 127\\.0\\.0\\.1:$socks_auth: SOCKS5: no acceptable authentication"
refused "SOCKS5 without the credentials it wants" \
    "$want method \\(offered: none; try --proxy-auth\\)\$" \
    --proxy "127.0.0.1:$socks_auth" 127.0.0.1 "$closed"
refused "SOCKS5 with a wrong password" \
    "proxy 127\\.0\\.0\\.1:$socks_auth: SOCKS5 user/password refused" \
    --proxy "127.0.0.1:$socks_auth" --proxy-auth alice:wrong 127.0.0.1 \
    "$closed"
want="proxy 127\\.0\\.0\\.1:$http_plain: HTTP CONNECT to 127\\.0\\.0\\.1 port"
refused "HTTP CONNECT to a closed port" \
    "$want $closed: HTTP/1\\.[01] 5[0-9][0-9] " \
    --proxy "127.0.0.1:$http_plain" --proxy-type http 127.0.0.1 "$closed"
want="proxy 127\\.0\\.0\\.1:$http_auth: HTTP CONNECT to 127\\.0\\.0\\.1 port"
refused "HTTP CONNECT without the credentials it wants" \
    "$want $closed: HTTP/1\\.[01] 407 " \
    --proxy "127.0.0.1:$http_auth" --proxy-type http 127.0.0.1 "$closed"
refused "no proxy listening" \
    "create_connection to 127\\.0\\.0\\.1 port $closed: 127\\.0\\.0\\.1:$closed: Connection refused" \
    --proxy "127.0.0.1:$closed" localhost 80
refused "an HTTP client at a SOCKS5 proxy" \
    "proxy 127\\.0\\.0\\.1:$socks_plain: closed the connection to the HTTP" \
    --proxy "127.0.0.1:$socks_plain" --proxy-type http 127.0.0.1 "$closed"

# A proxy that accepts and never answers: -w 1 ends it, exit status 4.
start_peer silent silent
silent=$port
begin=$(now)
run 10 client skt_with "$tmp/input" -w 1 --proxy "127.0.0.1:$silent" \
    localhost 80
elapsed_since "$begin"
expect_status 4 "a silent proxy under -w 1"
want="^skt: proxy 127\\.0\\.0\\.1:$silent: no answer to the SOCKS5 greeting"
expect_one_line "$tmp/client.err" "$want within -w 1 s\$" \
    "the silent proxy's line"
between "$elapsed" 0.9 2.5 "-w 1 over the proxy's handshake"
start_peer silent silent
silent=$port
run 10 client skt_with "$tmp/input" -w 0.5 --proxy "127.0.0.1:$silent" \
    --proxy-type http localhost 80
expect_status 4 "a silent HTTP proxy under -w 0.5"
expect_one_line "$tmp/client.err" \
    "no answer to the HTTP CONNECT request within -w 0\\.5 s\$" \
    "the silent HTTP proxy's line"

# TLS through the tunnel: SNI and verification against HOST, not the
# proxy (s_server shows the right certificate only to a client whose SNI
# is localhost); a wrong name is refused with exit status 3. s_server
# -www answers the request and closes.
make_certs
printf 'GET / HTTP/1.0\r\n\r\n' >"$tmp/request"
for kind in socks5 http; do
    proxy=$socks_plain
    [ "$kind" = http ] && proxy=$http_plain
    s_server tls wrong-name.pem -naccept 1 -www -servername localhost \
        -cert2 "$certs/server.pem" -key2 "$certs/server.key"
    tls=$pid
    run 10 client skt_with "$tmp/request" -v -w 5 --no-shutdown --tls \
        --cafile "$certs/ca.pem" --proxy "127.0.0.1:$proxy" \
        --proxy-type "$kind" localhost "$port"
    expect_status 0 "TLS through $kind"
    expect_line "$tmp/client.out" "^HTTP/1\\.0 200 ok" \
        "TLS through $kind: s_server -www's answer"
    expect_line "$tmp/client.err" '^skt: verification: ok$' \
        "TLS through $kind: verified"
    wait_exit "$tls" 5
done
s_server tls wrong-name.pem -naccept 1 -www
tls=$pid
run 10 client skt_with "$tmp/request" --tls --cafile "$certs/ca.pem" \
    --proxy "127.0.0.1:$socks_plain" localhost "$port"
expect_status 3 "TLS through SOCKS5 to a wrong name"
expect_one_line "$tmp/client.err" "hostname mismatch" \
    "the wrong name's reason"
stop "$tls"
exit 0
