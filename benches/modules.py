#!/usr/bin/env python3
"""Remote module resolution, cold and cached: `python3 benches/modules.py REGISTRY_MODULE GIT_MODULE`.

REGISTRY_MODULE is served by a module registry on the loopback interface (service discovery,
versions, download answering X-Terraform-Get with a tar.gz on the same server); GIT_MODULE is
committed to a git repository in a temporary directory and called as `git::file://…?ref=v1.0.0`.
Both are directories of someone's Terraform (a checkout outside this repository: third-party
Terraform is never committed here). A root calls both; `infracheck check ROOT --download-modules`
runs RUNS times with an empty cache (cold: discovery, versions, download, unpack, clone) and RUNS
times with the cache filled (cached: no network). Prints the median wall time of each.
"""

import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

RUNS = int(os.environ.get("RUNS", "11"))
EXE = os.environ.get("INFRACHECK", os.path.join(os.path.dirname(__file__), "..", "target", "release", "infracheck"))


def tarball(src):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(src, arcname="pkg", filter=lambda i: None if "/.git" in i.name or i.name.endswith(".git") else i)
    return buf.getvalue()


def serve(archive):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            p = self.path
            if p == "/.well-known/terraform.json":
                self.reply(200, json.dumps({"modules.v1": "/v1/modules/"}).encode())
            elif p == "/v1/modules/bench/vpc/aws/versions":
                vs = [{"version": v} for v in ("4.0.0", "5.0.0", "5.1.0", "6.0.0")]
                self.reply(200, json.dumps({"modules": [{"versions": vs}]}).encode())
            elif p.startswith("/v1/modules/bench/vpc/aws/") and p.endswith("/download"):
                self.reply(204, headers=[("X-Terraform-Get", "/pkg.tar.gz//pkg")])
            elif p == "/pkg.tar.gz":
                self.reply(200, archive)
            else:
                self.reply(404, b"{}")

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    registry_module, git_module = (os.path.abspath(a) for a in sys.argv[1:])
    tmp = tempfile.mkdtemp()
    try:
        srv = serve(tarball(registry_module))
        port = srv.server_address[1]
        repo = os.path.join(tmp, "repo")
        shutil.copytree(git_module, repo, ignore=shutil.ignore_patterns(".git"))
        git = lambda *a: subprocess.run(["git", "-c", "user.email=b@x", "-c", "user.name=b", *a], cwd=repo, check=True, capture_output=True)
        git("init", "-q")
        git("add", ".")
        git("commit", "-q", "-m", "m")
        git("tag", "v1.0.0")
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        with open(os.path.join(root, "main.tf"), "w") as f:
            f.write(
                f'module "vpc" {{\n  source  = "localhost:{port}/bench/vpc/aws"\n  version = "~> 5.0"\n}}\n\n'
                f'module "sg" {{\n  source = "git::file://{repo}?ref=v1.0.0"\n}}\n'
            )
        cache = os.path.join(tmp, "cache")

        def run():
            env = dict(os.environ, INFRACHECK_CACHE_DIR=cache, NO_COLOR="1")
            t = time.perf_counter()
            p = subprocess.run([EXE, "check", root, "--download-modules", "--format", "json"], env=env, capture_output=True)
            dt = time.perf_counter() - t
            if p.returncode not in (0, 1):
                sys.exit(p.stderr.decode())
            return dt, json.loads(p.stdout)

        cold = []
        for _ in range(RUNS):
            shutil.rmtree(cache, ignore_errors=True)
            dt, report = run()
            cold.append(dt)
        cached = [run()[0] for _ in range(RUNS)]
        resources = sum(s["passed"] + s["failed"] for s in report["summary"].values())
        print(f"checks evaluated: {resources}")
        print(f"cold   (empty cache, {RUNS} runs): median {statistics.median(cold) * 1000:.1f} ms")
        print(f"cached (no network,  {RUNS} runs): median {statistics.median(cached) * 1000:.1f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
