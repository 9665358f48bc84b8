#!/bin/sh
# Scenario: every program in the examples directory answers --help and -h
# (the same text on stdout: its usage line first, then what it does;
# nothing on stderr; exit 0), and refuses a command line of the wrong shape
# without acting on it: exit 2, nothing on stdout, and on stderr exactly
# two lines, "NAME: what was wrong" and the usage line of its --help. The
# wrong command lines are, for every program, an unknown long and short
# option, and for each its own: an operand missing or one too many, an
# option without its value. An example with no wrong command lines listed
# here fails the scenario, so that a new example gets some. Last, "--"
# ends the options: fd-pass reads a file named "-h" after it.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# bad_command_lines NAME: prints the wrong command lines of NAME, one a
# line (its arguments, split at spaces); prints nothing for a name it does
# not know.
bad_command_lines() {
    case $1 in
    echo-server | upper-echo-server | echo-server-any | create-server-echo | \
        multiconn-server | app-server)
        printf '%s\n' "" "127.0.0.1" "127.0.0.1 0 extra" ;;
    threading-echo-server | pool-echo-server | forking-echo-server | \
        event-echo-server)
        printf '%s\n' "127.0.0.1" "127.0.0.1 0 extra" "-i" \
            "-i 1 127.0.0.1" ;;
    echo-client | echo-client-any | create-connection-client)
        printf '%s\n' "" "127.0.0.1" "127.0.0.1 9" ;;
    multiconn-client)
        printf '%s\n' "127.0.0.1 9" "127.0.0.1 9 1 extra" ;;
    activated-server)
        printf '%s\n' "" "127.0.0.1" "127.0.0.1 0 extra" "-w" "-d" ;;
    fd-pass)
        printf '%s\n' "" "file extra" ;;
    netlink-ifaces)
        printf '%s\n' "extra" "-- extra" ;;
    sendfile-server)
        printf '%s\n' "127.0.0.1 0" "127.0.0.1 0 file extra" ;;
    sendfile-client)
        printf '%s\n' "127.0.0.1" "127.0.0.1 9 out extra" ;;
    tls-client)
        printf '%s\n' "localhost" "localhost 443 extra" \
            "localhost 443 --cafile" ;;
    tls-echo-server)
        printf '%s\n' "127.0.0.1 0 cert" "127.0.0.1 0 cert key extra" ;;
    app-client)
        printf '%s\n' "127.0.0.1 9 search" "127.0.0.1 9 search x extra" ;;
    esac
}

# invoke NAME COMMAND [ARGUMENT...]: runs the command in the foreground
# (these exit at once; 124 is a command stopped after 5 s) with its
# stdout in $tmp/NAME.out and its stderr in $tmp/NAME.err; sets $status.
invoke() {
    out=$1
    shift
    timeout 5 "$@" >"$tmp/$out.out" 2>"$tmp/$out.err"
    status=$?
}

# answers_help NAME OPTION: NAME OPTION prints its help, as said above.
answers_help() {
    invoke help "$examples/$1" "$2"
    [ "$status" -eq 0 ] || fail "$1 $2 exited $status, not 0"
    [ ! -s "$tmp/help.err" ] || fail "$1 $2 wrote to stderr"
    head -n 1 "$tmp/help.out" | grep -Eq "^usage: $1( |\$)" ||
        fail "$1 $2 does not begin with its usage line"
    [ "$(wc -l <"$tmp/help.out")" -ge 3 ] ||
        fail "$1 $2 says nothing but its usage"
}

# refuses NAME ARGUMENTS: NAME with ARGUMENTS (split at spaces) is a
# usage error, as said above; $usage holds NAME's usage line.
refuses() {
    # shellcheck disable=SC2086 # the arguments are split on purpose
    invoke bad "$examples/$1" $2
    [ "$status" -eq 2 ] || fail "$1 $2 exited $status, not 2"
    [ ! -s "$tmp/bad.out" ] || fail "$1 $2 wrote to stdout"
    [ "$(wc -l <"$tmp/bad.err")" -eq 2 ] ||
        fail "$1 $2: stderr is not two lines"
    head -n 1 "$tmp/bad.err" | grep -q "^$1: ." ||
        fail "$1 $2: the first line does not say what was wrong"
    [ "$(sed -n 2p "$tmp/bad.err")" = "$usage" ] ||
        fail "$1 $2: the second line is not the usage"
}

count=0
for program in "$examples"/*; do
    if [ ! -f "$program" ] || [ ! -x "$program" ]; then
        continue
    fi
    program=${program##*/}
    answers_help "$program" --help
    cp "$tmp/help.out" "$tmp/long.out"
    answers_help "$program" -h
    cmp -s "$tmp/long.out" "$tmp/help.out" ||
        fail "$program: -h and --help differ"
    usage=$(head -n 1 "$tmp/long.out")

    lines=$(bad_command_lines "$program")
    [ -n "$lines" ] || fail "$program: no wrong command lines listed for it"
    refuses "$program" --no-such-option
    refuses "$program" -Z
    echo "$lines" >"$tmp/lines"
    while IFS= read -r arguments; do
        refuses "$program" "$arguments"
    done <"$tmp/lines"
    count=$((count + 1))
done
[ "$count" -ge 21 ] || fail "only $count examples in $examples"

# "--" ends the options: a file named "-h" is a file, not the help.
printf 'the file named -h\n' >"$tmp/-h"
fd_pass=$(cd "$examples" && pwd)/fd-pass
(cd "$tmp" && exec timeout 5 "$fd_pass" -- -h) >"$tmp/dash.out" \
    2>"$tmp/dash.err"
status=$?
[ "$status" -eq 0 ] || fail "fd-pass -- -h exited $status"
tail -n 1 "$tmp/dash.out" | grep -q '^the file named -h$' ||
    fail "fd-pass -- -h did not print the file"
exit 0
