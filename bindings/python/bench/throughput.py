"""Throughput of the binding from Python: classify_callback calls/s, and GraphClient.observe calls/s
against an in-process Emulator() at 1 and 8 threads (the GIL is released while Rust waits).

    python bench/throughput.py            # after `pip install ./bindings/python`

Bounded: about 3 s of classify_callback and 2,000 observe calls per concurrency level, all on
127.0.0.1.
"""

from __future__ import annotations

import platform
import sys
import threading
import time

import entra_consent as ec

APP_ID = "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11"
SCOPES = "Calendars.ReadWrite User.Read offline_access"
CALLBACK = (
    "https://crm.example.com/cb?error=access_denied&error_codes=%5B90094%5D"
    "&error_description=AADSTS90094%3A+Admin+consent+is+required.&state=s1"
)
OBSERVE_CALLS = 2000


def classify_rate(seconds: float = 3.0) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(1000):
            ec.classify_callback(CALLBACK, state="s1")
        n += 1000
    return n / (time.perf_counter() - t0)


def observe_rate(emu: ec.Emulator, threads: int) -> float:
    client = ec.GraphClient.client_credentials(
        emu.tenant_id, emu.admin_client_id, emu.admin_client_secret, graph_url=emu.graph_url, login_url=emu.login_url
    )
    app = ec.App(APP_ID, "Carerix Calendar - Production", SCOPES)
    client.observe(app)  # the token is fetched once; connections warm up

    def work() -> None:
        for _ in range(OBSERVE_CALLS // threads):
            client.observe(app)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return (OBSERVE_CALLS // threads) * threads / (time.perf_counter() - t0)


def main() -> None:
    print(f"entra_consent {ec.__version__}, Python {sys.version.split()[0]}, {platform.machine()}")
    print(f"classify_callback (90094, state checked): {classify_rate():,.0f} calls/s")
    with ec.Emulator() as emu:
        for threads in (1, 8):
            print(f"observe against Emulator(), {threads} thread(s): {observe_rate(emu, threads):,.0f} calls/s")


if __name__ == "__main__":
    main()
