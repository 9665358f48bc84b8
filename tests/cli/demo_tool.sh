#!/bin/sh
# scripts/demo-tool, the tool's demo (an echo server with -e /bin/cat and
# its clients, a file sent and received, -v to a closed port), runs to its
# end and says so. Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"

run 30 demo sh "$(dirname "$0")/../../scripts/demo-tool" "$skt"
expect_status 0 "scripts/demo-tool"
expect_line "$tmp/demo.out" '^demo-tool: ok$' "the demo's last line"
expect_line "$tmp/demo.out" "^skt: 127\\.0\\.0\\.1:1: Connection refused " \
    "the demo's -v"
exit 0
