#!/usr/bin/env bash
# The whole-process targets of issue 19, one row each: wall time and peak memory (RSS) of the
# release binary, best of five runs, against the target. Machine and date head the table.
#   benches/targets.sh CORPUS_DIR MODULE_REPO [PLAN_JSON]
# CORPUS_DIR: a tree of public Terraform (BENCHMARKS.md lists the one measured); MODULE_REPO: one
# module repository (terraform-aws-modules/terraform-aws-vpc); PLAN_JSON: a plan of 100,000
# resources, written by `INFRACHECK_BENCH_WRITE_PLAN=FILE cargo bench --bench plan` when omitted.
# Checkov on the same trees: benches/vs_checkov.sh CORPUS_DIR MODULE_REPO terraform.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: benches/targets.sh CORPUS_DIR MODULE_REPO [PLAN_JSON]" >&2; exit 2; }
corpus=$1 repo=$2 plan=${3:-}
cargo build --release --quiet
bin=target/release/infracheck
if [ -z "$plan" ]; then
  plan=$(mktemp -d)/plan.json
  INFRACHECK_BENCH_WRITE_PLAN=$plan cargo bench --quiet --bench plan -- --test >/dev/null 2>&1
fi
best() { # best of five: "seconds peak_kb"
  local b="" kb=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o /tmp/targets.time "$@" >/dev/null 2>&1 || true
    read -r s k < <(tail -1 /tmp/targets.time)
    if [ -z "$b" ] || awk "BEGIN{exit !($s < $b)}"; then b=$s kb=$k; fi
  done
  echo "$b $kb"
}
row() { # name max_seconds max_mb command...
  local name=$1 max_s=$2 max_mb=$3
  shift 3
  read -r s kb < <(best "$@")
  local mb=$((kb / 1024)) ok=met
  awk "BEGIN{exit !($s > $max_s)}" && ok="NOT met"
  [ "$max_mb" != "-" ] && [ "$mb" -gt "$max_mb" ] && ok="NOT met"
  echo "| $name | $s s | $mb MB | ≤ $max_s s$([ "$max_mb" != "-" ] && echo ", ≤ $max_mb MB") | $ok |"
}
echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; $(date -u +%F)"
echo
echo "| target | wall | peak | target | |"
echo "|---|---:|---:|---|---|"
row "corpus: \`check $corpus\` ($(find "$corpus" -name '*.tf' | wc -l) files)" 1.0 200 "$bin" check "$corpus" --format json
row "module repository: \`check $repo\` ($(find "$repo" -name '*.tf' | wc -l) files)" 0.030 - "$bin" check "$repo" --format json
row "bundled environments: \`check\`" 0.030 - "$bin" check
row "pre-commit: \`check terraform/environments/prod/terraform.tfvars\`" 0.030 - "$bin" check terraform/environments/prod/terraform.tfvars
row "plan of 100,000 resources ($(($(stat -c %s "$plan") / 1000000)) MB)" 4.0 400 "$bin" check "$plan" --format json
