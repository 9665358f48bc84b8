#!/bin/sh
# Transfers across a faulty link: two network namespaces joined by a veth
# pair, faults-xfer receiving in one ($nsb, 10.77.0.2) and sending from
# the other ($nsa), nft in $nsa doing the harm.
#
#   sh link.sh BIN_DIR PEERS_DIR MODE KIND SIZE LOSS
#
# MODE loss: LOSS % of the packets dropped at random both ways; the
#   transfer must complete, every byte arrived and in order (SHA-256 of
#   what arrived == SHA-256 of what was sent, the data's own bytes).
# MODE dark-complete / dark-timeout: the receiver reads at 4 MiB/s, and
#   0.5 s into the transfer nft drops everything for 2 s. Under a 30 s
#   deadline the transfer completes; under a 3 s deadline skt_sendall (or
#   the kind's send) fails with -ETIMEDOUT, and the bytes it reports sent
#   are exactly the bytes the receiver gets once the link is back.
# KIND: plain, tls, line, frame, sendfile. Prints the figures (seconds,
# MiB/s). Needs root, ip and nft (exit 77 otherwise).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

bin=$1
peers=$2
mode=$3
kind=$4
size=$5
loss=$6

need_root_netns
make_link
lossy "$loss"
opts=
if [ "$kind" = tls ]; then
    make_certs "$peers"
    opts="--certs $certs"
fi
case $mode in
loss) recv_timeout=1200 send_timeout=1200 ;;
dark-complete) recv_timeout=60 send_timeout=30 ;;
dark-timeout) recv_timeout=60 send_timeout=3 ;;
*) fail "unknown mode $mode" ;;
esac
if [ "$mode" != loss ]; then
    opts="$opts --rate 4M --buffer 64K"
fi

# shellcheck disable=SC2086 # $opts is a list of words
start recv ip netns exec "$nsb" "$bin/faults-xfer" recv "$kind" \
    10.77.0.2:5000 "$size" "$recv_timeout" $opts
receiver=$pid
wait_listening "$tmp/recv.out" "$receiver"
started=$(date +%s.%N)
# shellcheck disable=SC2086
start send ip netns exec "$nsa" "$bin/faults-xfer" send "$kind" \
    10.77.0.2:5000 "$size" "$send_timeout" $opts
sender=$pid
if [ "$mode" != loss ]; then
    sleep 0.5
    dark_on
    echo "link dark at $(since "$started") s"
    sleep 2
    dark_off
    echo "link back at $(since "$started") s"
fi
wait_exit "$sender" "$((send_timeout + 120))"
[ "$status" -eq 0 ] || fail "the sender exited $status"
wait_exit "$receiver" 120
[ "$status" -eq 0 ] || fail "the receiver exited $status"
cat "$tmp/send.out" "$tmp/recv.out"

sent=$(field "$tmp/send.out" sent)
got=$(field "$tmp/recv.out" got)
send_rc=$(field "$tmp/send.out" rc)
recv_rc=$(field "$tmp/recv.out" rc)
send_sha=$(field "$tmp/send.out" sha256)
recv_sha=$(field "$tmp/recv.out" sha256)
seconds=$(field "$tmp/recv.out" seconds)
[ "$(field "$tmp/recv.out" match)" = yes ] ||
    fail "the receiver's bytes are not the data sent"
[ "$send_sha" = "$recv_sha" ] ||
    fail "SHA-256 differs: sent $send_sha, received $recv_sha"
[ "$sent" = "$got" ] || fail "reported sent $sent, but $got arrived"

case $mode in
loss | dark-complete)
    if [ "$send_rc" != OK ] || [ "$recv_rc" != OK ]; then
        fail "the transfer failed: send $send_rc, receive $recv_rc"
    fi
    expected=$(sed -n 's/.* sent=[0-9]* of \([0-9]*\) .*/\1/p' \
        "$tmp/send.out" | head -n 1)
    [ "$got" = "$expected" ] || fail "$got of $expected bytes arrived"
    echo "figures: $mode $kind $size loss=$loss% seconds=$seconds" \
        "MiB/s=$(awk "BEGIN { printf \"%.2f\", $got / 1048576 / $seconds }")"
    ;;
dark-timeout)
    [ "$send_rc" = ETIMEDOUT ] ||
        fail "the send under a 3 s deadline returned $send_rc"
    expected=$(sed -n 's/.* sent=[0-9]* of \([0-9]*\) .*/\1/p' \
        "$tmp/send.out" | head -n 1)
    [ "$sent" -lt "$expected" ] || fail "all sent despite the timeout"
    [ "$recv_rc" != OK ] || fail "the receiver got everything"
    echo "figures: $mode $kind: sent=$sent received=$got of $expected" \
        "(receiver: $recv_rc) send_seconds=$(field "$tmp/send.out" seconds)"
    ;;
esac
exit 0
