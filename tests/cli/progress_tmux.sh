#!/bin/sh
# The progress bar in a real terminal: tmux runs skt send, and then skt
# with a file as stdin, against a Python receiver that reads slowly;
# capture-pane shows the bar (bytes, total, rate, percentage, ETA) while
# it runs, and after it nothing of the bar is left: without -v the line
# is erased, with -v it holds the summary. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need tmux
need_python socket
xfer=$(dirname "$0")/lib/xfer.py
head -c 20971520 /dev/zero >"$tmp/file.bin"
server=skt-cli-$$
trap 'tmux -L "$server" kill-server 2>/dev/null; cleanup' EXIT

# pane: the visible text of the test's tmux pane.
pane() {
    tmux -L "$server" capture-pane -p -t bar
}

# through_tmux COMMAND OPTION...: skt COMMAND OPTION... to a slow
# receiver, in tmux, with file.bin as the file (send) or stdin (connect);
# waits for the bar and then for the end, leaving the pane in $tmp/pane.
through_tmux() {
    what=$1
    shift
    rm -f "$tmp/slow.out"
    start slow "$python" "$xfer" slow-recv 1.5
    slow=$pid
    wait_listening "$tmp/slow.out" "$slow"
    if [ "$what" = send ]; then
        line="'$skt' send $* 127.0.0.1 ${address##*:} '$tmp/file.bin'"
    else
        line="'$skt' $* 127.0.0.1 ${address##*:} <'$tmp/file.bin'"
    fi
    tmux -L "$server" new-session -d -s bar -x 100 -y 5 \
        "$line; echo \"status \$?\"; sleep 30"
    wait_until 10 eval 'pane | grep -q "MiB / 20\.0 MiB .* ETA "' ||
        fail "no progress bar in the terminal: $(pane)"
    pane >"$tmp/bar"
    wait_until 20 eval 'pane | grep -q "^status "' || fail "skt send hung"
    pane >"$tmp/pane"
    tmux -L "$server" kill-session -t bar
    wait_exit "$slow" 10
}

through_tmux send
want='^[0-9.]+ MiB / 20\.0 MiB  [0-9.]+ [KMG]?i?B/s +[0-9]+%  '
expect_line "$tmp/bar" "${want}ETA [0-9]+:[0-9]{2}\$" "the bar"
expect_line "$tmp/pane" '^status 0$' "skt send's status"
grep -q 'MiB' "$tmp/pane" && fail "the bar was not erased: $(cat "$tmp/pane")"

through_tmux send -v
want='^skt: sent file\.bin: 20\.0 MiB in [0-9.]+ m?s '
expect_line "$tmp/pane" "$want\\([0-9.]+ [KMG]?i?B/s\\)\$" \
    "-v: the summary line"
expect_line "$tmp/pane" '^status 0$' "skt send -v's status"
grep -q 'ETA' "$tmp/pane" && fail "-v: the bar was left: $(cat "$tmp/pane")"

# A plain connection whose stdin is a regular file: its size is known.
through_tmux connect
expect_line "$tmp/pane" '^status 0$' "skt HOST PORT <file's status"
grep -q 'MiB' "$tmp/pane" && fail "the bar was not erased: $(cat "$tmp/pane")"
exit 0
