#!/bin/sh
# OpenSSL initialises only when TLS is asked for: a plain connection
# and -z open neither OpenSSL's configuration file nor the system trust
# store, as strace shows; --tls opens both. (The dynamic
# loader still maps libssl and libcrypto at every start.) Run by CTest
# as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need strace
need ncat

# opened NAME ARGUMENT...: runs skt ARGUMENT... </dev/null under strace,
# its openat calls in $tmp/NAME.trace.
opened() {
    name=$1
    shift
    # LeakSanitizer cannot run under ptrace: a sanitized build would exit 1.
    run 10 "$name" env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
        strace -f -o "$tmp/$name.trace" -e trace=openat,open "$skt" "$@"
}

free_port
start server ncat -l -k 127.0.0.1 "$port"
server=$pid
wait_port t "$port" "$server"
opened plain 127.0.0.1 "$port"
expect_status 0 "a plain connection"
opened scan -z 127.0.0.1 "$port"
expect_status 0 "-z"
for name in plain scan; do
    grep -q 'openat(.*libssl\.so' "$tmp/$name.trace" ||
        fail "$name: the trace shows no libssl being loaded (no trace?)"
    if grep -E 'openssl\.cnf|/etc/ssl/certs|ca-certificates' \
        "$tmp/$name.trace" >"$tmp/$name.found"; then
        fail "$name: OpenSSL was initialised: $(cat "$tmp/$name.found")"
    fi
done
stop "$server"

# --tls, against a TLS server: both are read, as they should be.
make_certs
s_server tls server.pem -naccept 1 -rev
tls=$pid
opened tls --tls --cafile "$certs/ca.pem" localhost "$port"
expect_status 0 "--tls"
expect_line "$tmp/tls.trace" 'openssl\.cnf' "--tls: OpenSSL's configuration"
expect_line "$tmp/tls.trace" "ca\\.pem" "--tls: the --cafile"
wait_exit "$tls" 5
exit 0
