#!/usr/bin/env bash
# Oxigraph's server writes a triple at a cost that grows with how many it holds (issue 19).
#
# A minimal reproduction outside kg: synthetic N-Triples (awk), one Graph Store Protocol
# PUT each into a fresh `oxigraph serve` on 127.0.0.1 (curl), at each size given; prints
# the server's CPU seconds per size and per million triples. In line with the data, the
# last column would stay flat. `?no_transaction` (Oxigraph's bulk loader, not atomic)
# and POSTs of 10,000 triples each are the same data sent otherwise.
#
#   benchmarks/oxigraph_put_growth.sh [SIZE ...]      # default: 100000 300000
#   OXIGRAPH=/path/to/oxigraph benchmarks/oxigraph_put_growth.sh 100000 300000 1000000
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
oxigraph=${OXIGRAPH:-$here/../.venv/bin/oxigraph}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 300000)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/oxigraph-put-growth.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

cpu_seconds() {  # user + system time of process $1 (its threads' too)
  awk -v tick="$(getconf CLK_TCK)" '{ split($0, part, ") "); split(part[2], f, " ");
                                      print (f[12] + f[13]) / tick }' "/proc/$1/stat"
}

send() {  # send FILE SIZE MODE: a fresh server, the data sent as MODE says, its CPU seconds
  local file=$1 size=$2 mode=$3 port pid before after
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$oxigraph" serve --location "$scratch/db-$mode-$size" --bind "127.0.0.1:$port" \
    > "$scratch/log-$mode-$size" 2>&1 &
  pid=$!
  until curl -s -o /dev/null "http://127.0.0.1:$port/query?query=ASK%7B%7D"; do sleep 0.1; done
  before=$(cpu_seconds "$pid")
  case $mode in
    put)  curl -sf -X PUT -H 'Content-Type: application/n-triples' --data-binary @"$file" \
            "http://127.0.0.1:$port/store?graph=urn:x:g" ;;
    bulk) curl -sf -X PUT -H 'Content-Type: application/n-triples' --data-binary @"$file" \
            "http://127.0.0.1:$port/store?graph=urn:x:g&no_transaction" ;;
    posts)
      split -l 10000 "$file" "$scratch/part-$size-"
      for part in "$scratch/part-$size-"*; do
        curl -sf -X POST -H 'Content-Type: application/n-triples' --data-binary @"$part" \
          "http://127.0.0.1:$port/store?graph=urn:x:g"
      done
      rm -f "$scratch/part-$size-"* ;;
  esac
  after=$(cpu_seconds "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$scratch/db-$mode-$size"
  awk -v a="$before" -v b="$after" -v n="$size" -v m="$mode" \
    'BEGIN { printf "%-6s %9d triples: server CPU %7.2f s, %6.2f s per million\n", m, n, b - a, (b - a) * 1e6 / n }'
}

"$oxigraph" --version
for size in "${sizes[@]}"; do
  awk -v n="$size" 'BEGIN { srand(1); for (i = 0; i < n; i++)
    printf "<urn:x:s%d> <urn:x:p%d> \"%d\" .\n", int(rand() * n / 10), i % 40, int(rand() * 1e9) }' \
    > "$scratch/data-$size.nt"
done
for mode in put posts bulk; do
  for size in "${sizes[@]}"; do
    send "$scratch/data-$size.nt" "$size" "$mode"
  done
done
