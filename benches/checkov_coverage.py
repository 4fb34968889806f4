#!/usr/bin/env python3
"""Side by side with checkov on the same trees: which of checkov's failures an infracheck rule that
aliases the same check also fails, on the same resource.

Usage: python3 benches/checkov_coverage.py CHECKOV_JSON_DIR TREE_ROOT [--infracheck BIN]
  CHECKOV_JSON_DIR holds `checkov -d TREE_ROOT/<repo> --framework terraform -o json` as <repo>.json;
  each repo is checked with `infracheck check TREE_ROOT/<repo> --format json`.
A failure is one (check, file, block) — checkov reports a module's resource once per caller, so
repeats are counted once. Checks listed in policies/NOT-PORTED.md leave the denominator. A match is
an infracheck finding that fails (or is suppressed) under a rule aliasing the check, in the same file
and the same block (`type.name`, or the module call's name), or in a companion of that block
(the finding's `resource`) in the same directory. Prints the totals, how many unmatched failures lie on
blocks that no root creates (per `infracheck resources`), per-check rows, and samples of the
unmatched failures on both sides (written to OUT_DIR when given with --samples DIR)."""
import collections, glob, json, os, re, subprocess, sys

args = sys.argv[1:]
binary = "target/release/infracheck"
samples_dir = None
if "--infracheck" in args:
    i = args.index("--infracheck"); binary = args[i + 1]; del args[i:i + 2]
if "--samples" in args:
    i = args.index("--samples"); samples_dir = args[i + 1]; del args[i:i + 2]
ck_dir, tree = args[0], os.path.abspath(args[1])
here = os.path.dirname(os.path.abspath(__file__))

not_ported = set()
np = os.path.join(here, "..", "policies", "NOT-PORTED.md")
for line in open(np) if os.path.exists(np) else []:
    m = re.match(r"\|\s*(CKV2?_[A-Z]+_\d+|AWS-\d+)\s*\|", line)
    if m:
        not_ported.add(m.group(1))

def block(addr):
    """`module.a["x"].aws_s3_bucket.this[0]` -> `aws_s3_bucket.this`; `module.kms` -> `kms`."""
    addr = re.sub(r"\[[^\]]*\]", "", addr or "")
    parts = addr.split(".")
    while len(parts) > 2 and parts[0] == "module":
        parts = parts[2:]
    if parts and parts[0] == "data":
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "module":
        return parts[1]
    return ".".join(parts[-2:])

ck = {}   # (check, file, block) -> checkov record
for f in sorted(glob.glob(os.path.join(ck_dir, "*.json"))):
    try:
        d = json.load(open(f))
    except Exception:
        continue
    for r in d if isinstance(d, list) else [d]:
        if not isinstance(r, dict) or "results" not in r:
            continue
        for c in r["results"]["failed_checks"]:
            cid = c["check_id"]
            if not (cid.startswith("CKV_AWS") or cid.startswith("CKV2_AWS") or cid.startswith("CKV_TF")):
                continue
            key = (cid, os.path.abspath(c["file_abs_path"]), block(c["resource"]))
            ck.setdefault(key, c)

ic_exact, ic_dir, ic_all = set(), set(), []
created = set()  # (file, block) of every resource some root creates, as `infracheck resources` lists them
for repo in sorted(os.listdir(tree)):
    path = os.path.join(tree, repo)
    if not os.path.isdir(path):
        continue
    out = subprocess.run([binary, "check", path, "--format", "json"], capture_output=True, text=True).stdout
    try:
        d = json.loads(out)
    except Exception:
        print(f"infracheck gave no JSON for {repo}", file=sys.stderr)
        continue
    for f in d["findings"]:
        if f["outcome"] not in ("fail",):
            continue
        if not f.get("file"):
            continue
        file = os.path.abspath(f["file"])
        aliases = f["aliases"].get("checkov", []) or []
        for cid in aliases:
            ic_exact.add((cid, file, block(f["address"])))
            if f.get("resource"):
                ic_dir.add((cid, os.path.dirname(file), block(f["resource"])))
        ic_all.append((f["rule_id"], aliases, file, block(f["address"]), f["message"]))
    listed = subprocess.run([binary, "resources", path, "--format", "json"], capture_output=True, text=True).stdout
    try:
        roots = json.loads(listed)
        for root in roots if isinstance(roots, list) else [roots]:  # one root: an object
            for r in root["resources"]:
                if r.get("file"):
                    created.add((os.path.abspath(r["file"]), block(r["address"])))
    except Exception:
        print(f"infracheck resources gave no JSON for {repo}", file=sys.stderr)

rows = collections.defaultdict(lambda: [0, 0])
matched_keys = set()
for key in ck:
    cid, file, blk = key
    if cid in not_ported:
        continue
    hit = key in ic_exact or (cid, os.path.dirname(file), blk) in ic_dir
    rows[cid][0] += 1
    if hit:
        rows[cid][1] += 1
        matched_keys.add(key)
total = sum(r[0] for r in rows.values())
hits = sum(r[1] for r in rows.values())
excluded = sum(1 for k in ck if k[0] in not_ported)
print(f"checkov failures (distinct check, file, block): {len(ck)}; in NOT-PORTED.md: {excluded}; "
      f"counted: {total}; matched by infracheck: {hits} ({100 * hits / max(total, 1):.1f}%)")
# The unmatched failures on blocks no root creates: a module's resource whose examples all leave
# its count at 0 (or never call it), or a module no root calls; Terraform plans no such resource.
unmatched = [k for k in ck if k[0] not in not_ported and k not in matched_keys]
uncreated = sum(1 for k in unmatched if (k[1], k[2]) not in created)
print(f"unmatched: {len(unmatched)}; on blocks that no root creates: {uncreated}; "
      f"on blocks some root creates: {len(unmatched) - uncreated}")
print("\n| check | checkov failures | matched | % |\n|---|---:|---:|---:|")
for cid, (n, h) in sorted(rows.items(), key=lambda x: -x[1][0]):
    print(f"| {cid} | {n} | {h} | {100 * h // n} |")
if samples_dir:
    os.makedirs(samples_dir, exist_ok=True)
    with open(os.path.join(samples_dir, "checkov_unmatched.tsv"), "w") as o:
        for key, c in sorted(ck.items()):
            if key[0] not in not_ported and key not in matched_keys:
                made = "created" if (key[1], key[2]) in created else "not created"
                o.write(f"{key[0]}\t{key[1]}\t{key[2]}\t{c.get('file_line_range')}\t{made}\n")
    ck_blocks = {(k[1], k[2]) for k in ck}
    with open(os.path.join(samples_dir, "infracheck_extra.tsv"), "w") as o:
        for rule, aliases, file, blk, msg in ic_all:
            if aliases and not any((a, file, blk) in ck for a in aliases):
                o.write(f"{rule}\t{','.join(aliases)}\t{file}\t{blk}\t{msg[:200]}\n")
