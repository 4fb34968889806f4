#!/usr/bin/env python3
"""How much of real code `infracheck cost` prices: the share of components priced, by service and
region, for two binaries side by side (before and after a change), over the example roots of
module repositories fetched outside the checkout.

Usage: python3 benches/cost_coverage.py BEFORE_BIN AFTER_BIN REPO_DIR...
Each REPO_DIR is costed with `cost REPO_DIR --format json` (every root below it). A component
counts as priced when its status is `priced`; `depends_on_usage` lines (no usage given) are left
out of the shares, since their cost is the usage's. Prints a markdown table, then what is still
missing after, by SKU."""
import collections, json, subprocess, sys

before_bin, after_bin, repos = sys.argv[1], sys.argv[2], sys.argv[3:]

def run(binary, repo):
    out = subprocess.run([binary, "cost", repo, "--format", "json"], capture_output=True, text=True).stdout
    try:
        return json.loads(out)["environments"]
    except Exception:
        return []

def tally(binary):
    by = collections.defaultdict(lambda: [0, 0])  # (service, region) -> [priced, counted]
    missing = collections.Counter()
    not_estimated = collections.Counter()
    for repo in repos:
        for env in run(binary, repo):
            for r in env["resources"]:
                for c in r["components"]:
                    if c["status"] == "depends_on_usage":
                        continue
                    key = (c["sku"]["service"], c["sku"]["region"] or "unknown")
                    by[key][1] += 1
                    if c["status"] == "priced":
                        by[key][0] += 1
                    elif c["status"] == "missing_price":
                        missing[(c["sku"]["service"], c["sku"]["sku"], c["sku"]["region"])] += 1
            for n in env.get("not_estimated", []):
                not_estimated[n["type"]] += 1
    return by, missing, not_estimated

b, _, b_not = tally(before_bin)
a, missing, a_not = tally(after_bin)
print("| service | region | priced before | priced after |\n|---|---|---:|---:|")
tb = ta = nb = na = 0
for key in sorted(set(b) | set(a)):
    (pb, cb), (pa, ca) = b.get(key, [0, 0]), a.get(key, [0, 0])
    tb, nb, ta, na = tb + pb, nb + cb, ta + pa, na + ca
    print(f"| {key[0]} | {key[1]} | {pb}/{cb} | {pa}/{ca} |")
print(f"| **all** | | **{tb}/{nb} ({100 * tb / max(nb, 1):.0f}%)** | **{ta}/{na} ({100 * ta / max(na, 1):.0f}%)** |")
print(f"\nresources not estimated: before {sum(b_not.values())}, after {sum(a_not.values())}: "
      + ", ".join(f"{t} ({n})" for t, n in a_not.most_common()))
print("\nstill missing after (service / SKU / region: lines):")
for (svc, sku, region), n in missing.most_common():
    print(f"- {svc} / {sku} / {region or 'region unknown'}: {n}")
