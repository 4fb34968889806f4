#!/bin/sh
# Runs every fuzz target for its time budget, two at a time, with the fixtures as seeds.
# Usage: benches/fuzz/run.sh [SECONDS_SCALE]   (1 = the budgets below, one hour of target time)
# Logs: benches/fuzz/logs/TARGET.log; crashes: benches/fuzz/artifacts/TARGET/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
scale=${1:-1}
"$here/seed.sh" >/dev/null
cargo +nightly fuzz build --fuzz-dir benches/fuzz -s none
bin="$here/target/x86_64-unknown-linux-gnu/release"
mkdir -p "$here/logs"
export RAYON_NUM_THREADS=1
one() { # TARGET SECONDS MAX_LEN [DICT]
  t=$1; secs=$(( $2 * scale )); len=$3
  mkdir -p "$here/artifacts/$t"
  dict=""; [ -n "${4:-}" ] && dict="-dict=$here/$4"
  "$bin/$t" "$here/corpus/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    -max_len="$len" $dict -artifact_prefix="$here/artifacts/$t/" -print_final_stats=1 \
    >"$here/logs/$t.log" 2>&1 || echo "$t: stopped with a finding (see logs/$t.log)"
}
{ one hcl 600 65536 hcl.dict; one plan 540 262144; one usage 450 65536; one config 450 65536; } &
{ one tfjson 540 65536 hcl.dict; one tfvars 540 65536 hcl.dict; one live 480 262144; } &
wait
grep -H -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$here"/logs/*.log
