#!/usr/bin/env bash
# Runs `make test` N times in a row (default 3) while two CPU-bound and one
# disk-bound process run beside it, as a loaded CI machine would: no test may
# depend on the machine's speed. Stops at the first failing run.
#
#   scripts/test-under-load.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}

burners=()
cleanup() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -f "$scratch"
}
scratch=$(mktemp "${TMPDIR:-/tmp}/cams-disk-load.XXXXXX")
trap cleanup EXIT

for _ in 1 2; do
  (while :; do :; done) &
  burners+=($!)
done
# Writes and syncs 256 MiB over and over, bypassing the page cache.
(while :; do dd if=/dev/zero of="$scratch" bs=1M count=256 oflag=direct conv=fsync status=none; done) &
burners+=($!)

for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  echo "== run $i of $runs beside 2 CPU burners and a disk writer (load $(cut -d' ' -f1-3 /proc/loadavg))"
  make test
  echo "== run $i passed in $(($(date +%s) - started)) s"
done
