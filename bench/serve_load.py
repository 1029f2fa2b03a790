"""Load test of `seer serve` on loopback: requests/s and p50/p99 latency of /clip/embed_image
with dynamic batching on and off, and the server's resident memory before and after.

    swift build -c release --product seer
    python bench/serve_load.py [--model Tests/Fixtures/clip-tiny-gelu-p16] [--requests 2000]
                               [--concurrency 16] [--seconds 60]

Starts the server twice on a free loopback port (--max-batch 32 --max-wait-ms 5, then
--max-batch 1), sends --requests base64 image requests from --concurrency threads (bounded
by --seconds per run), checks every answer is 200, and prints throughput, latency
percentiles, batches formed (from /metrics) and the server's RSS at start and end.
Loopback only; nothing leaves the machine.
"""

import argparse
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited: {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("server did not start")


def run(binary, model, extra, bodies, args):
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--model", model, "--host", "127.0.0.1", "--port", str(port)] + extra,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, proc)
        rss_start = rss_mib(proc.pid)
        latencies, failures, lock = [], [0], threading.Lock()
        counter = iter(range(args.requests))
        deadline = time.time() + args.seconds

        def worker():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for i in counter:
                if time.time() > deadline:
                    break
                body = bodies[i % len(bodies)]
                t = time.perf_counter()
                conn.request("POST", "/clip/embed_image", body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    if resp.status != 200:
                        failures[0] += 1

        start = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/metrics")
        metrics = c.getresponse().read().decode()
        batches = next((l.split()[-1] for l in metrics.splitlines() if l.startswith("seer_batches_total")), "?")
        rss_end = rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
    return dict(n=len(latencies), failures=failures[0], rps=len(latencies) / wall, p50=pct(0.50), p99=pct(0.99),
                batches=batches, rss_start=rss_start, rss_end=rss_end)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=str(ROOT / "Tests/Fixtures/clip-tiny-gelu-p16"))
    p.add_argument("--binary", default=str(ROOT / ".build/release/seer"))
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--seconds", type=float, default=60)
    args = p.parse_args()
    args.requests = min(args.requests, 100_000)
    images = sorted((ROOT / "Tests/Fixtures/clip-inputs").glob("*.*"))
    bodies = [json.dumps({"image": {"type": "base64", "value": base64.b64encode(f.read_bytes()).decode()}}).encode() for f in images]
    print(f"{args.requests} requests, {args.concurrency} clients, model {args.model}")
    for name, extra in [("batching on ", ["--max-batch", "32", "--max-wait-ms", "5"]), ("batching off", ["--max-batch", "1"])]:
        r = run(args.binary, args.model, extra, bodies, args)
        print(f"{name}: {r['rps']:8.1f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  "
              f"{r['n']} done, {r['failures']} failed, {r['batches']} forward passes, RSS {r['rss_start']:.0f} -> {r['rss_end']:.0f} MiB")


if __name__ == "__main__":
    main()
