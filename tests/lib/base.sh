# shellcheck shell=sh
# The base of the shell test libraries (tests/faults/lib.sh and
# tests/scenarios/lib/common.sh source it; a test sources one of those).
# Before sourcing it, set $scratch_name, the prefix of the scratch
# directory; $fail_bytes (how much of each captured output fail prints,
# 2000 if unset) and the cleanup_more function (more cleanup for the EXIT
# trap, run after the processes are killed) are optional.
#
# It turns on `set -u`, makes the scratch directory $tmp, and arranges
# that on any exit every process still in $pids is killed, cleanup_more
# runs and $tmp is removed; HUP, INT, PIPE and TERM exit 1 so that this
# cleanup runs for them too. Helpers hand back their results in variables
# ($status, $pid, $certs) so that they can stop the test themselves with
# fail or skip. Every wait is bounded and polls every 0.1 s.

# The variables assigned here are read by the tests that source it.
# shellcheck disable=SC2034
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/${scratch_name:-skt-test}.XXXXXX") ||
    exit 1
pids=

# cleanup: kills the processes still in $pids, runs cleanup_more if the
# library defines it, and removes $tmp (the EXIT trap; a process already
# reaped is forgotten, see forget).
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    if command -v cleanup_more >/dev/null 2>&1; then
        cleanup_more
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# fail REASON: prints the reason and the first $fail_bytes bytes of every
# file directly in $tmp (the outputs captured; data that is not worth
# showing belongs in a subdirectory), then exits 1.
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*; do
        [ -f "$f" ] || continue
        echo "--- ${f##*/}:" >&2
        head -c "${fail_bytes:-2000}" "$f" >&2
    done
    exit 1
}

# skip REASON: says why the test cannot run here and exits 77.
skip() {
    echo "SKIP: $*" >&2
    exit 77
}

# wait_until SECONDS COMMAND [ARGUMENT...]: runs the command every 0.1 s
# until it succeeds (returns 0) or SECONDS have passed (returns 1). For a
# compound condition, make the command eval and quote the condition.
wait_until() {
    ticks=$(($1 * 10))
    shift
    until "$@"; do
        [ "$ticks" -gt 0 ] || return 1
        ticks=$((ticks - 1))
        sleep 0.1
    done
}

# forget PID: drops PID from $pids once it has been reaped, so that
# cleanup cannot kill a process that has been given the number since.
forget() {
    kept=
    for other in $pids; do
        [ "$other" = "$1" ] || kept="$kept $other"
    done
    pids=$kept
}

# start NAME COMMAND [ARGUMENT...]: runs the command in the background
# with its stdout in $tmp/NAME.out and its stderr in $tmp/NAME.err, sets
# $pid to its process ID and adds that to $pids. Environment variables
# for it go through env(1).
start() {
    name=$1
    shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids="$pids $pid"
}

# wait_exit PID SECONDS: sets $status to the exit status of PID; kills it
# and fails if it is still running after SECONDS.
wait_exit() {
    wait_until "$2" eval "! kill -0 $1 2>/dev/null" || {
        kill "$1"
        fail "pid $1 still running after $2 s"
    }
    wait "$1"
    status=$?
    forget "$1"
}

# make_certs [PEERS_DIR]: makes the test certificates (make-certs.sh of
# PEERS_DIR, of $peers if not given) in $certs, a directory in $tmp; skips
# without the openssl command.
make_certs() {
    command -v openssl >/dev/null 2>&1 ||
        skip "the openssl command is not installed"
    certs=$tmp/certs
    mkdir "$certs"
    sh "${1:-$peers}/make-certs.sh" "$certs" 2>"$tmp/make-certs.err" ||
        fail "make-certs.sh failed"
}
