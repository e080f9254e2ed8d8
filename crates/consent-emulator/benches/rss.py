#!/usr/bin/env python3
"""Resident memory of the consent-emulator binary (the figures in docs/emulator.md).

    python3 crates/consent-emulator/benches/rss.py BINARY tenants N TOUCH   # --tenants N, then one token in each of the first TOUCH tenants
    python3 crates/consent-emulator/benches/rss.py BINARY tokens TOTAL      # TOTAL client-credential token requests to one tenant

Reads VmRSS from /proc/PID/status (Linux). Uses one keep-alive connection.
"""
import http.client
import json
import subprocess
import sys
import time
import urllib.parse


def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return -1


def main():
    binary, mode = sys.argv[1], sys.argv[2]
    args = [binary] + (["--tenants", sys.argv[3]] if mode == "tenants" else [])
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        banner = json.loads(p.stdout.readline())
        time.sleep(0.5)
        print(f"{len(banner['tenants'])} tenant(s), after start: VmRSS {rss(p.pid)} kB", flush=True)
        host = urllib.parse.urlparse(banner["login_url"])
        conn = http.client.HTTPConnection(host.hostname, host.port)
        body = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": banner["admin_client_id"],
            "client_secret": banner["admin_client_secret"],
            "scope": "https://graph.microsoft.com/.default",
        })
        headers = {"Content-Type": "application/x-www-form-urlencoded"}

        def token(tenant):
            conn.request("POST", f"/{tenant}/oauth2/v2.0/token", body, headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status

        started = time.time()
        if mode == "tenants":
            touch = int(sys.argv[4])
            for tenant in banner["tenants"][:touch]:
                token(tenant)
            print(f"after one token in each of {touch} tenants: VmRSS {rss(p.pid)} kB ({time.time() - started:.0f}s)")
        else:
            total = int(sys.argv[3])
            marks = {1000, 10000, total // 2, total}
            for i in range(1, total + 1):
                token(banner["tenant_id"])
                if i in marks:
                    print(f"after {i} token requests: VmRSS {rss(p.pid)} kB ({time.time() - started:.0f}s)", flush=True)
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
