#!/usr/bin/env bash
# One test file's wall and CPU time in two checkouts, side by side, as scripts/test.mjs runs
# it (the built bundles, an empty model cache and settings folder, 2 shards), alternating the
# two for ROUNDS rounds so both see the same load; then the CPU ratio of each file.
# Each checkout needs its bundles first: node scripts/build-electron.mjs (and npx vite build for e2e files).
#   bench/test-files.sh BASE_CHECKOUT OURS_CHECKOUT ROUNDS FILE...
set -euo pipefail
base=$(cd "$1" && pwd); ours=$(cd "$2" && pwd); rounds=$3; shift 3
log=$(mktemp)
for _ in $(seq "$rounds"); do
  for f in "$@"; do
    for side in base ours; do
      dir=$base; [ "$side" = ours ] && dir=$ours
      tmp=$(mktemp -d)
      (cd "$dir" && STUDIO_MODEL_CACHE=$tmp/models STUDIO_CONFIG_DIR=$tmp/config STUDIO_TRAIN_SHARDS=2 \
        STUDIO_ENGINE_ENTRY=$dir/dist/engine/entry.mjs STUDIO_TEST_CLI=$dir/dist/cli/studio.mjs \
        STUDIO_TEST_BUNDLES=$dir/dist/test \
        /usr/bin/time -f "$side $f %e %U %S" -o "$tmp/time" node --import tsx --test --test-reporter=dot "$f" >/dev/null 2>&1 ||
        echo "$side $f FAILED")
      # The last line: GNU time puts "Command exited with non-zero status" above it on a failure.
      tail -1 "$tmp/time" | awk '{printf "%s %s wall %s s cpu %.2f s\n", $1, $2, $3, $4 + $5}' | tee -a "$log"
      rm -rf "$tmp"
    done
  done
done
awk '{cpu[$1" "$2]+=$7; n[$1" "$2]++} END {for (k in cpu) {split(k, a, " "); if (a[1] == "ours") printf "%s: cpu ours/base %.2f\n", a[2], cpu[k] / cpu["base " a[2]]}}' "$log"
rm -f "$log"
