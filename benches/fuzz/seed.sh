#!/bin/sh
# Copies the fixtures into the fuzzers' corpus directories (benches/fuzz/corpus/TARGET), one
# file per fixture. Run from anywhere; corpus/ is not committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$here/corpus"
seed() { # TARGET FILE…
  t=$1; shift
  mkdir -p "$corpus/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$corpus/$t/$(printf '%s' "${f#"$root"/}" | tr '/' '_')"
  done
}
cd "$root"
seed hcl $(find fixtures terraform tests/data -name '*.tf' -type f 2>/dev/null | sort)
seed tfjson $(find fixtures terraform tests/data -name '*.tf.json' -type f 2>/dev/null | sort) \
  $(find fixtures -name '*.tfvars.json' -type f | sort)
seed tfvars $(find fixtures tests/data -name '*.tfvars' -type f 2>/dev/null | sort)
seed plan $(find fixtures/plan fixtures/oracle tests/data -name '*.json' -type f 2>/dev/null | sort)
seed usage $(find fixtures/cost tests/data -name '*.yml' -type f 2>/dev/null | sort)
mkdir -p "$corpus/config"
cp .infracheck.toml "$corpus/config/infracheck.toml"
seed config $(find fixtures tests/data -name '.infracheck.toml' -type f 2>/dev/null | sort)
seed live $(find fixtures/live tests/data -maxdepth 1 -name '*.json' -type f 2>/dev/null | sort)
# Hand-written seeds (inputs no fixture covers).
for d in "$here"/seeds/*; do
  [ -d "$d" ] && seed "$(basename "$d")" "$d"/*
done
for d in "$corpus"/*; do echo "$(basename "$d"): $(ls -A "$d" | wc -l) seeds"; done
