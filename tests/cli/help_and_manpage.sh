#!/bin/sh
# --help prints the whole interface on stdout (usage, every option,
# examples, exit statuses) and exits 0, as -h does; --version prints one
# line. skt(1), written at build time from the same option table, lists
# every option --help lists, and groff renders it without a warning.
# Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"

manpage=$(dirname "$skt")/skt.1

run 5 help "$skt" --help
expect_status 0 "--help"
expect_empty "$tmp/help.err" "--help wrote to stderr"
for heading in Usage: Options: Examples: "Exit status:"; do
    expect_line "$tmp/help.out" "^$heading\$" "--help: no $heading"
done
expect_line "$tmp/help.out" "^  skt -l \\[options\\] \\[HOST\\] PORT " \
    "--help: no listen synopsis"
expect_line "$tmp/help.out" "^  4 +a deadline of skt's own expired" \
    "--help: no exit status 4"
[ "$(awk 'length > 80' "$tmp/help.out" | wc -l)" -eq 0 ] ||
    fail "--help has lines over 80 columns"

run 5 short "$skt" -h localhost
expect_status 0 "-h"
cmp -s "$tmp/help.out" "$tmp/short.out" || fail "-h differs from --help"

run 5 version "$skt" --version
expect_status 0 "--version"
expect_one_line "$tmp/version.out" \
    '^skt [0-9]+\.[0-9]+\.[0-9]+ \(libskt [0-9]+\.[0-9]+\.[0-9]+, (linux|posix) platform\)$' \
    "--version"

[ -f "$manpage" ] || fail "no man page at $manpage"
sed -n 's/^ *\(-., \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' "$tmp/help.out" \
    >"$tmp/options.txt"
[ "$(wc -l <"$tmp/options.txt")" -gt 30 ] || fail "too few options found"
while read -r option; do
    grep -q "^\\\\fB.*\\\\-\\\\-$(echo "$option" | sed 's/-/\\\\-/g')\\\\fR" \
        "$manpage" || fail "skt.1 does not list --$option"
done <"$tmp/options.txt"
grep -q '^\.SH EXIT STATUS' "$manpage" || fail "skt.1 has no EXIT STATUS"
if command -v groff >/dev/null 2>&1; then
    groff -man -ww -z "$manpage" 2>"$tmp/groff.err"
    expect_empty "$tmp/groff.err" "groff warns about skt.1"
fi
exit 0
