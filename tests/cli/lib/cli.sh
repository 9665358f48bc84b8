# shellcheck shell=sh
# The helpers of the skt tool's black-box tests (tests/cli/*.sh). A test
# sources this file first:
#
#     # shellcheck source=lib/cli.sh
#     . "$(dirname "$0")/lib/cli.sh"
#
# CTest runs each test as: sh TEST SKT PEERS_DIR (exit 77: skipped). This
# file sources the scenarios' helpers (tests/scenarios/lib/common.sh: $tmp,
# start, run, wait_exit, stop, fail, skip, wait_line, make_certs,
# need_python, ...) and adds what the tool's tests share: $skt, the tool
# under test; checks of exit status and output; free ports; the peers we
# did not write, each skipped with its reason when it is missing.

# The variables assigned here are read by the tests that source it.
# shellcheck disable=SC2034
# shellcheck source=../scenarios/lib/common.sh
. "$(dirname "$0")/../scenarios/lib/common.sh"
skt=$1

# need COMMAND [REASON]: skips unless COMMAND is on PATH.
need() {
    command -v "$1" >/dev/null 2>&1 ||
        skip "${2:-the $1 command is not installed}"
}

# expect_status WANT WHAT: fails unless the last run's $status is WANT.
expect_status() {
    [ "$status" -eq "$1" ] || fail "$2: exit status $status, not $1"
}

# expect_file FILE TEXT WHAT: fails unless FILE holds exactly TEXT (and a
# final newline).
expect_file() {
    printf '%s\n' "$2" >"$tmp/expected.txt"
    cmp -s "$1" "$tmp/expected.txt" || fail "$3: $(cat "$1") is not '$2'"
}

# expect_empty FILE WHAT: fails unless FILE is empty.
expect_empty() {
    [ ! -s "$1" ] || fail "$2: $(head -c 300 "$1")"
}

# expect_one_line FILE ERE WHAT: fails unless FILE is exactly one line and
# it matches the extended regular expression ERE.
expect_one_line() {
    [ "$(wc -l <"$1")" -eq 1 ] || fail "$3: not one line"
    grep -Eq "$2" "$1" || fail "$3: '$(cat "$1")' does not match '$2'"
}

# expect_line FILE ERE WHAT: fails unless a line of FILE matches ERE.
expect_line() {
    grep -Eq "$2" "$1" || fail "$3: no line matching '$2'"
}

# free_port: sets $port to a TCP port of 127.0.0.1 that nobody listens on
# (the kernel's choice for a socket that is then closed).
free_port() {
    need_python socket
    port=$("$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
}

# listen_skt NAME INPUT ARGUMENT...: starts `skt -l ARGUMENT... <INPUT`
# (whose PORT should be 0) as NAME, waits for its "listening on" line on
# stderr, and sets $address and $port from it.
listen_skt() {
    listen_name=$1
    listen_input=$2
    shift 2
    listen_with "$listen_name" "$listen_input" -l "$@"
}

# listen_with NAME INPUT ARGUMENT...: the same for `skt ARGUMENT...`, for
# commands that listen with -l after their word (skt recv -l ...).
listen_with() {
    listen_name=$1
    listen_input=$2
    shift 2
    rm -f "$tmp/$listen_name.err"
    start "$listen_name" skt_with "$listen_input" "$@"
    wait_listening "$tmp/$listen_name.err" "$pid"
    port=${address##*:}
}

# skt_with INPUT ARGUMENT...: runs skt ARGUMENT... with stdin from INPUT;
# for start and run (`run 5 client skt_with FILE HOST PORT`).
skt_with() {
    input=$1
    shift
    exec "$skt" "$@" <"$input"
}

# elapsed_since START: sets $elapsed to the seconds (with two decimals)
# since START, a value of $(now).
now() {
    date +%s.%N
}
elapsed_since() {
    elapsed=$(echo "$(now) $1" | awk '{ printf "%.2f", $1 - $2 }')
}

# between VALUE LOW HIGH WHAT: fails unless LOW <= VALUE < HIGH.
between() {
    echo "$1 $2 $3" | awk '{ exit !($1 >= $2 && $1 < $3) }' ||
        fail "$4: $1 is not in [$2, $3)"
}

# port_listening PROTO PORT: succeeds when something listens on PORT
# (PROTO t for TCP, u for UDP), as ss(8) sees it.
port_listening() {
    [ -n "$(ss -Hln"$1" "sport = :$2" 2>/dev/null)" ]
}

# wait_port PROTO PORT PID: waits up to 5 s for PID (a peer told to listen
# on PORT) to listen there; fails if it exits or time runs out.
wait_port() {
    need ss
    wait_until 5 eval "port_listening $1 $2 || ! kill -0 $3 2>/dev/null"
    kill -0 "$3" 2>/dev/null || fail "pid $3 exited before listening on $2"
    port_listening "$1" "$2" || fail "nothing listens on port $2 after 5 s"
}

# start_peer NAME MODE [TEXT]: starts lib/peer.py (Python's socket module)
# as NAME in MODE, and sets $port from its "listening on" line.
start_peer() {
    need_python socket
    name=$1
    shift
    # The shell truncates NAME.out in the background: an old line must
    # not be taken for the new peer's.
    rm -f "$tmp/$name.out"
    start "$name" "$python" "$(dirname "$0")/lib/peer.py" "$@"
    wait_listening "$tmp/$name.out" "$pid"
    port=${address##*:}
}

# start_client NAME [HOST:]PORT TEXT SECONDS [DELAY]: starts lib/peer.py
# as a client (see there) named NAME.
start_client() {
    need_python socket
    name=$1
    shift
    start "$name" without_fd3 "$python" "$(dirname "$0")/lib/peer.py" \
        client "$@"
}

# without_fd3 COMMAND...: runs COMMAND with fd 3 closed, so that a client
# started while a test holds a FIFO open on fd 3 does not keep it open.
without_fd3() {
    exec "$@" 3>&-
}

# wait_lines FILE COUNT PID [SECONDS]: waits up to SECONDS (5) for FILE to
# have COUNT lines; fails if PID exits first or time runs out.
wait_lines() {
    wait_until "${4:-5}" eval "[ \"\$(wc -l <'$1')\" -ge $2 ] ||
        ! kill -0 $3 2>/dev/null"
    [ "$(wc -l <"$1")" -ge "$2" ] || fail "$1 has no $2 lines"
}

# open_fifo NAME: makes the FIFO $tmp/NAME; later `exec 3>"$tmp/NAME"`,
# once its reader has started, keeps it open for writing on fd 3.
open_fifo() {
    mkfifo "$tmp/$1" || fail "mkfifo failed"
}

# s_server NAME CERT ARGUMENT...: starts `openssl s_server` as NAME on
# port 0 with CERT (a file made by make_certs, key server.key) and the
# extra arguments, and sets $port once it accepts.
s_server() {
    name=$1
    cert=$2
    shift 2
    rm -f "$tmp/$name.out"
    start "$name" openssl s_server -accept 0 -cert "$certs/$cert" \
        -key "$certs/server.key" "$@"
    wait_line "$tmp/$name.out" "$pid" '^ACCEPT .*:\([0-9]*\)$' 5 \
        "ACCEPT line"
    port=$line
}
