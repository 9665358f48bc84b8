#!/bin/sh
# Every malformed option, address and port: exit status 2, nothing on
# stdout, and one line on stderr naming what is wrong. Nothing is looked
# up or connected to (the addresses are checked before anything runs).
# Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"

# bad ERE ARGUMENT...: skt ARGUMENT... is refused with the line ERE.
bad() {
    want=$1
    shift
    # Run in the foreground: the checks come before anything could run.
    timeout 5 "$skt" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
    status=$?
    expect_status 2 "skt $*"
    expect_empty "$tmp/bad.out" "skt $*: stdout"
    expect_one_line "$tmp/bad.err" "^skt: $want" "skt $*: stderr"
}

long=$(printf '%0120d' 0)

# The command line's shape.
bad "missing HOST and PORT"
bad "missing PORT" localhost
bad "too many arguments, from 'c'" a 80 c
bad "unknown option -q" -q localhost 80
bad "unknown option --frobnicate" --frobnicate localhost 80
bad "option -w needs an argument \\(SECS\\)" localhost 80 -w
bad "option --cafile needs an argument \\(FILE\\)" --tls h 443 --cafile
bad "option --listen takes no argument" --listen=yes 80
bad "option --canon does not apply to skt" --canon localhost 80
bad "option --keep-open does not apply to skt resolve" resolve -k name
bad "skt resolve needs NAME" resolve
bad "too many arguments, from '2'" resolve name 1 2

# Numbers.
bad "option -w: 'abc' is not a number of seconds" -w abc localhost 80
bad "option -w: 0 seconds is out of range" -w 0 localhost 80
bad "option -w: -1 seconds is out of range" -w -1 localhost 80
bad "option -w: 'nan' is not a number of seconds" -w nan localhost 80
bad "option -w: '1e999' is not a number of seconds" -w 1e999 localhost 80
bad "option -i: '5s' is not a number of seconds" -i 5s localhost 80
bad "option -m: 0 is out of range \\(1 to 100000\\)" -l -k -m 0 80
bad "option -m: '1.5' is not a whole number" -l -k -m 1.5 80

# Ports.
bad "port 0 is out of range \\(1 to 65535\\)" localhost 0
bad "port 65536 is out of range \\(1 to 65535\\)" localhost 65536
bad "port 99999999999 is out of range|'99999999999' is not a port" \
    localhost 99999999999
bad "'80x' is not a port" localhost 80x
bad "'' is not a port" localhost ''
bad "'no-such-service-skt' is not a port: no such service" \
    localhost no-such-service-skt
bad "port 65536 is out of range \\(0 to 65535\\)" -l 65536
bad "port 99999 is out of range" -p 99999 localhost 80
bad "'1-' in the port list is not N or N-M" -z localhost 1-
bad "'0' in the port list is out of range" -z localhost 0
bad "'5-3' in the port list is out of range" -z localhost 5-3
bad "'' in the port list is not N or N-M" -z localhost 1,,2
bad "'70000' in the port list is out of range" -z localhost 22,70000

# Hosts and addresses.
bad "'exa mple.com' is not a host name or address" 'exa mple.com' 80
bad "'300.1.1.1' is not an IPv4 address" 300.1.1.1 80
bad "'\\[::1' is not an IPv6 address" '[::1' 80
bad "'::g' is not an IPv6 address" ::g 80
bad "'fe80::1%no-such-if': the scope names no interface" \
    fe80::1%no-such-if 80
bad "'-bad' is not a host name or address" -- -bad 80
bad "'a\\?b' is not a host name or address" "$(printf 'a\nb')" 80
bad "'localhost' is a name, where a numeric address is needed" \
    -n localhost 80
bad "'localhost' is a name, where a numeric address is needed" \
    -s localhost 127.0.0.1 80
bad "option --allow: '1.2.3.4/33': the prefix must be 0 to 32" \
    --allow 1.2.3.4/33 -l 80
bad "option --deny: '::1/129': the prefix must be 0 to 128" --deny ::1/129 -l 80
bad "option --allow: 'foo' is not a numeric address" --allow foo -l 80
bad "'' is not a Unix socket path" -U ''
bad "Unix socket path '0+\\.\\.\\.' is too long" -U "$long"
bad "-U needs PATH" -U
bad "-U takes one PATH, not HOST PORT" -U localhost 80

# Options that do not go together.
bad "options -4 and -6 exclude each other" -4 -6 localhost 80
bad "-k needs -l" -k localhost 80
bad "--allow and --deny need -l" --allow 127.0.0.1 localhost 80
bad "-l needs PORT" -l
bad "-z and -l exclude each other" -z -l 80
bad "--send-only and --recv-only exclude each other" \
    --send-only --recv-only localhost 80
bad "option -e: the command is empty" -e ' ' localhost 80
bad "give one program" -e cat -c cat localhost 80
bad "-e/-c: the program's end is the connection's end: not with --no-shutdown" \
    --no-shutdown -e cat h 1
bad "the TLS options need --tls" --cafile ca.pem localhost 443
bad "--key needs --cert" --tls --key k.pem localhost 443
bad "-l --tls needs --cert FILE" -l --tls 443
bad "option --tls-min: '1.1' is not 1.2 or 1.3" --tls --tls-min 1.1 h 443
bad "-u: TLS and --broker need a stream" -u --tls localhost 80
bad "-4 and -6 do not apply to -U" -U -4 /tmp/x
bad "--verify-client needs -l --tls" --tls --verify-client localhost 443
bad "give the listening address once" -l -p 80 8080
bad "option --frame: 'len3' is not len1, len2, len4, len8, line, crlf" \
    --frame len3 h 1
bad "option --frame: 'fixed:0': the size of fixed:N must be" \
    --frame fixed:0 h 1
bad "--frame-max needs --frame" --frame-max 10 h 1
bad "--frame fixed:N is over --frame-max" --frame fixed:20 --frame-max 10 h 1
bad "--frame frames stdin and the messages received: not with -z or -C" \
    --frame line -z h 1
bad "--frame frames stdin and the messages received: not with -z or -C" \
    --frame line -C h 1
bad "-U --tls: give --sni NAME, the name the server's certificate must" \
    -U --tls /tmp/x
bad "-m needs -k" -m 5 localhost 80
bad "-m needs -k" -l -m 5 80
bad "--insecure is for clients" -l --tls --cert c.pem --insecure 443
bad "--sni is for clients" -l --tls --cert c.pem --sni h 443
bad "-l: --cafile and --capath are the CAs of --verify-client, which is not" \
    -l --tls --cert c.pem --cafile ca.pem 443
bad "--insecure verifies nothing: not with --cafile or --capath" \
    --tls --insecure --capath /etc/ssl/certs h 443

# --alpn: names of 1 to 255 bytes, at most 16 of them.
bad "option --alpn: ',,' names an empty protocol" --alpn ,, --tls 127.0.0.1 1
bad "option --alpn: 'h2,' names an empty protocol" --alpn h2, --tls h 443
bad "option --alpn: ',h2' names an empty protocol" --alpn ,h2 --tls h 443
bad "option --alpn: the LIST is empty" --alpn '' --tls h 443
bad "option --alpn: a protocol name of 256 bytes, over 255" \
    --alpn "h2,$(printf '%0256d' 0)" --tls h 443
bad "option --alpn: more than 16 protocols" \
    --alpn a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q --tls h 443
bad "option --alpn: the list is over 1023 bytes" \
    --alpn "$(printf '%0255d,' 1 2 3 4)x" --tls h 443
bad "option --alpn: ',,' names an empty protocol" \
    relay --alpn ,, tls:h:443 stdio

# Options that would have no effect in the mode asked for.
bad "-z moves no data: not with -i, -C, -x, --send-only, --recv-only or" \
    -x -z h 1
bad "-z moves no data" -z -i 1 h 1
bad "-z moves no data" -z -C h 1
bad "-z moves no data" -z --send-only h 1
bad "-z moves no data" -z --recv-only h 1
bad "-z moves no data" -z --no-shutdown h 1
bad "-z probes from any local address: not with -s or -p" \
    -z -s 127.0.0.1 h 1
bad "-z probes from any local address" -z -p 5000 h 1
bad "--progress shows how much of stdin has gone to one connection: not" \
    --progress -z h 1
bad "--progress shows how much of stdin" --progress -u h 1
bad "--progress shows how much of stdin" --progress -l -k 80
bad "--progress shows how much of stdin" --progress -e cat h 1
bad "--progress shows how much of stdin" --progress -x h 1
bad "--progress shows how much of stdin" --progress --recv-only h 1
bad "-u: --send-only and --no-shutdown are for streams" -u --send-only h 1
bad "-u: --send-only and --no-shutdown are for streams" -u --no-shutdown h 1
bad "--broker reads no stdin and passes on what clients send: not with -C," \
    --broker -C -l 80
bad "--broker reads no stdin" --broker --send-only -l 80
bad "--broker reads no stdin" --broker --recv-only -l 80
bad "--broker reads no stdin" --broker --no-shutdown -l 80
bad "--recv-only sends nothing: not with -C or --no-shutdown" \
    --recv-only -C h 1
bad "--recv-only sends nothing" --recv-only --no-shutdown h 1
bad "-l -w bounds each client's TLS handshake: not without --tls" -l -w 5 80
bad "-l -w bounds each client's TLS handshake" -u -l -w 5 80

# --proxy.
bad "option --proxy: '1\\.2\\.3\\.4' is not HOST:PORT" --proxy 1.2.3.4 h 80
bad "option --proxy: ':80' is not HOST:PORT" --proxy :80 h 80
bad "option --proxy: 'h:' is not HOST:PORT" --proxy h: h 80
bad "option --proxy: '::1:80': an IPv6 proxy is written \\[ADDRESS\\]:PORT" \
    --proxy ::1:80 h 80
bad "option --proxy: port 99999 is out of range \\(1 to 65535\\)" \
    --proxy h:99999 h 80
bad "option --proxy: 'a b' is not a host name or address" --proxy 'a b:80' h 80
bad "option --proxy: 'h' is a name, where a numeric address is needed" \
    -n --proxy h:1 127.0.0.1 80
bad "option --proxy-type: 'socks4' is not socks5 or http" \
    --proxy h:1 --proxy-type socks4 h 80
bad "option --proxy-auth: not USER:PASS" --proxy h:1 --proxy-auth ab h 80
bad "option --proxy-auth: not USER:PASS" --proxy h:1 --proxy-auth :b h 80
bad "option --proxy-auth: not USER:PASS" --proxy h:1 --proxy-auth a: h 80
bad "option --proxy-auth: the user name and the password may have 255" \
    --proxy h:1 --proxy-auth "$(printf '%0300d' 0):b" h 80
bad "--proxy-type and --proxy-auth need --proxy" --proxy-type http h 80
bad "--proxy-type and --proxy-auth need --proxy" --proxy-auth a:b h 80
bad "--proxy is for TCP connections: not with -l, -u, -U or -z" \
    --proxy h:1 -l 80
bad "--proxy is for TCP connections" --proxy h:1 -u h 80
bad "--proxy is for TCP connections" --proxy h:1 -U /tmp/x
bad "--proxy is for TCP connections" --proxy h:1 -z h 80
bad "--proxy is for TCP connections" recv -l --proxy h:1 9000
bad "option --proxy does not apply to skt resolve" resolve --proxy h:1 name

# skt send and skt recv.
bad "skt send takes HOST PORT FILE" send localhost 9000
bad "skt send takes \\[HOST\\] PORT FILE" send -l 9000
bad "skt recv takes HOST PORT \\[DEST\\]" recv 9000
bad "skt recv takes \\[HOST\\] PORT \\[DEST\\]" recv -l h 1 d e
bad "option --unixsock does not apply to skt send" send -U h 1 f
bad "option --force does not apply to skt send" send -f h 1 f
bad "--progress and --no-progress exclude each other" \
    recv --progress --no-progress h 1
bad "port 0 is out of range \\(1 to 65535\\)" send h 0 f
bad "-s and -p are for connecting" recv -l -s 127.0.0.1 0
bad "--allow and --deny need -l" send --allow 127.0.0.1 h 1 f
bad "--allow and --deny need -l" recv --deny ::1 h 1
bad "-l -w bounds each client's TLS handshake" recv -l -w 5 9000
bad "--insecure is for clients" recv -l --tls --cert c.pem --insecure 9000
bad "-l: --cafile and --capath are the CAs of --verify-client" \
    send -l --tls --cert c.pem --cafile ca.pem 9000 f
bad "the file name is empty" send h 1 ''

# skt relay.
bad "-m needs -k" relay -m 3 tcp-listen:9000 tcp:h:80
bad "--cafile and --capath are the CAs of a tls: address without" \
    relay --cert c.pem --cafile ca.pem tls-listen:9000 tcp:h:80
bad "--cafile and --capath are the CAs of a tls: address without" \
    relay --insecure --cafile ca.pem tcp-listen:9000 tls:h:443

# skt app.
bad "skt app takes HOST PORT ACTION VALUE" app h 1 search
bad "skt app: the ACTION is empty" app h 1 '' x
bad "option --listen does not apply to skt app" app -l h 1 a v
exit 0
