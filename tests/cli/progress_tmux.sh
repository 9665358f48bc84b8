#!/bin/sh
# The progress bar in a real terminal: tmux runs skt send, and then skt
# with a file as stdin, against a Python receiver that reads slowly;
# capture-pane shows the bar (bytes, total, rate, percentage, ETA) while
# it runs, and after it nothing of the bar is left: without -v the line
# is erased, with -v it holds the summary. With stdin a pipe (cat FILE |
# skt --progress) the bar shows bytes and rate only, and is erased; no
# bar without --progress. Run by CTest as: sh THIS SKT
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

# The bar without a known size: bytes and rate, nothing else.
unsized='^[0-9.]+ [KMG]?i?B  [0-9.]+ [KMG]?i?B/s$'

# through_tmux COMMAND OPTION...: skt COMMAND OPTION... to a slow
# receiver, in tmux, with file.bin as the file (send), as stdin (connect)
# or through a pipe from cat (pipe); waits for the bar (for pipe, the
# one without a size; for nobar, a pipe without --progress, looks once
# while skt runs and leaves that in $tmp/bar) and then for the end,
# leaving the pane in $tmp/pane.
through_tmux() {
    what=$1
    shift
    rm -f "$tmp/slow.out"
    start slow "$python" "$xfer" slow-recv 1.5
    slow=$pid
    wait_listening "$tmp/slow.out" "$slow"
    case $what in
    send) line="'$skt' send $* 127.0.0.1 ${address##*:} '$tmp/file.bin'" ;;
    connect) line="'$skt' $* 127.0.0.1 ${address##*:} <'$tmp/file.bin'" ;;
    *) line="cat '$tmp/file.bin' | '$skt' $* 127.0.0.1 ${address##*:}" ;;
    esac
    tmux -L "$server" new-session -d -s bar -x 100 -y 5 \
        "$line; echo \"status \$?\"; sleep 30"
    case $what in
    pipe)
        wait_until 10 eval "pane | grep -Eq '$unsized'" ||
            fail "no bytes-and-rate bar in the terminal: $(pane)"
        ;;
    nobar)
        sleep 0.7
        pane | grep -q '^status ' && fail "skt ended too soon to be seen"
        ;;
    *)
        wait_until 10 eval 'pane | grep -q "MiB / 20\.0 MiB .* ETA "' ||
            fail "no progress bar in the terminal: $(pane)"
        ;;
    esac
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

# stdin a pipe: no size known. --progress shows bytes and rate while it
# runs, and the line is clean after; without --progress, no bar.
through_tmux pipe --progress
grep -q ' / ' "$tmp/bar" && fail "a pipe's bar with a total: $(cat "$tmp/bar")"
expect_line "$tmp/pane" '^status 0$' "cat FILE | skt --progress's status"
grep -q 'B/s' "$tmp/pane" && fail "the bar was not erased: $(cat "$tmp/pane")"
through_tmux nobar
grep -q 'B/s' "$tmp/bar" &&
    fail "a pipe's bar without --progress: $(cat "$tmp/bar")"
expect_line "$tmp/pane" '^status 0$' "cat FILE | skt's status"
exit 0
