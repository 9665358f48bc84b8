#!/bin/sh
# Fails if the shared library exports a symbol that is not skt_*. The
# version nodes of the version script (SKT_0, absolute symbols) are not
# functions, and are passed over.
set -eu
lib=$1
bad=$(nm -D --defined-only "$lib" |
      awk '!($2 == "A" && $3 ~ /^SKT_/) {print $3}' | grep -v '^skt_' \
      | grep -v '^_init$' | grep -v '^_fini$' || true)
if [ -n "$bad" ]; then
    echo "exported symbols outside skt_*:" >&2
    echo "$bad" >&2
    exit 1
fi
count=$(nm -D --defined-only "$lib" | grep -c ' skt_')
echo "exports: $count skt_* symbols, nothing else"
