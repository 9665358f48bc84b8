# shellcheck shell=sh
# The helpers every black-box scenario (tests/scenarios/*.sh) shares. A
# scenario sources this file before anything else:
#
#     # shellcheck source=lib/common.sh
#     . "$(dirname "$0")/lib/common.sh"
#
# Sourcing it takes $examples and $peers from the scenario's arguments
# (EXAMPLES_DIR PEERS_DIR) and everything of tests/lib/base.sh (set -u,
# $tmp, $pids, fail, skip, start, wait_exit, make_certs, the cleanup on
# exit), and adds the helpers for servers, lines and limits. Helpers hand
# back their results in variables ($status, $pid, $line, $address,
# $python, $certs) so that they can stop the scenario themselves with fail
# or skip. Every wait is bounded and polls every 0.1 s. This file is in a
# subdirectory so that CMake, which globs scenarios/*.sh, does not run it
# as a scenario; the .shellcheckrc beside the scenarios lets shellcheck
# follow the source line.

# The variables assigned here are read by the scenarios that source it.
# shellcheck disable=SC2034
examples=$1
peers=${2-}
scratch_name=skt-scenario

# shellcheck source=../lib/base.sh
. "$(dirname "$0")/../lib/base.sh"

# run SECONDS NAME COMMAND [ARGUMENT...]: start, then wait_exit: sets
# $status, and fails if the command runs longer than SECONDS.
run() {
    seconds=$1
    shift
    start "$@"
    wait_exit "$pid" "$seconds"
}

# stop PID: kills PID and reaps it, without checking its status (143).
stop() {
    kill "$1"
    wait "$1" 2>/dev/null
    forget "$1"
}

# line_found FILE PID PATTERN WHAT: one look for wait_line. Sets $line and
# succeeds if FILE has the line; fails the scenario if PID has exited.
line_found() {
    line=$(sed -n "s/$3/\1/p" "$1" 2>/dev/null | head -n 1)
    [ -n "$line" ] && return 0
    kill -0 "$2" 2>/dev/null || fail "pid $2 exited before printing its $4"
    return 1
}

# wait_line FILE PID PATTERN [SECONDS [WHAT]]: sets $line to the \1 of the
# first line of FILE that matches the sed PATTERN, which PID is to write
# within SECONDS (5 if not given); fails if PID exits first or time runs
# out, naming the line WHAT ("line matching PATTERN" if not given).
wait_line() {
    wait_until "${4:-5}" line_found "$1" "$2" "$3" \
        "${5:-line matching $3}" ||
        fail "no ${5:-line matching $3} within ${4:-5} s"
}

# wait_listening FILE PID [SECONDS]: sets $address from the "listening on
# ADDRESS" line that server PID writes into FILE within SECONDS (5).
wait_listening() {
    wait_line "$1" "$2" '^listening on \(.*\)$' "${3:-5}" \
        '"listening on" line'
    address=$line
}

# closed_port: sets $port to a port of 127.0.0.1 that nobody listens on:
# one that an echo-server of ours had, until it was stopped.
closed_port() {
    start server "$examples/echo-server" 127.0.0.1 0
    wait_listening "$tmp/server.out" "$pid"
    port=${address#127.0.0.1:}
    stop "$pid"
}

# skip_if_cannot_listen NAME PID ERE REASON: waits up to 5 s for server
# PID (started as NAME) to say "listening on" or exit. If it has exited
# and its stderr matches the extended regular expression ERE, skips with
# REASON and that stderr; otherwise returns, for wait_listening to judge.
skip_if_cannot_listen() {
    wait_until 5 eval "grep -q '^listening on ' \"\$tmp/$1.out\" ||
        ! kill -0 $2 2>/dev/null"
    if ! kill -0 "$2" 2>/dev/null && grep -Eq "$3" "$tmp/$1.err"; then
        skip "$4: $(cat "$tmp/$1.err")"
    fi
}

# need_python MODULES [REASON]: sets $python to python3 (from PATH, else
# /usr/bin/python3); skips, saying REASON, if it cannot import MODULES
# (a comma-separated list).
need_python() {
    python=$(command -v python3) || python=/usr/bin/python3
    "$python" -c "import $1" 2>/dev/null ||
        skip "${2:-python3 with the $1 module is not installed}"
}

# fd_limit PID [SOFT]: sets the soft RLIMIT_NOFILE of process PID to SOFT
# or, without SOFT, to the lowest fd number PID has free, so that the next
# fd it opens fails with EMFILE ("Too many open files"), as if it had used
# up its fds; sets $line to the soft limit it had before. Needs $python
# (need_python resource).
fd_limit() {
    line=$("$python" - "$@" <<'PY'
import os, resource, sys
pid = int(sys.argv[1])
soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
if len(sys.argv) > 2:
    new = int(sys.argv[2])
else:
    used = {int(n) for n in os.listdir("/proc/%d/fd" % pid)}
    new = min(n for n in range(len(used) + 1) if n not in used)
resource.prlimit(pid, resource.RLIMIT_NOFILE, (new, hard))
print(soft)
PY
) || fail "cannot change the fd limit of pid $1"
}

# cpu_ticks PID: sets $line to the CPU time PID has used since it
# started (user + system, in clock ticks: `getconf CLK_TCK` a second,
# usually 100). For the CPU of a period, take the difference of two calls.
# The fields are counted after the command's name, which may hold spaces.
cpu_ticks() {
    line=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null |
        awk '{print $12 + $13}')
    [ -n "$line" ] || fail "no /proc/$1/stat"
}
