"""Load test of `seer serve` on loopback: requests/s and p50/p99 latency of /clip/embed_image
with dynamic batching on and off, at several concurrencies, and the server's resident memory
over the whole run.

    swift build -c release --product seer
    python bench/clip_vit_b32.py            # once: writes bench/out/clip-vit-b32-random
    python bench/serve_load.py [--model bench/out/clip-vit-b32-random] [--concurrency 1,8,32]
                               [--requests 400] [--seconds 60] [--threads N]
    python bench/serve_load.py --model Tests/Fixtures/clip-tiny-gelu-p16 --concurrency 8 --requests 10000

For each mode (batching on: --max-batch 32 --max-wait-ms 5; off: --max-batch 1 --max-wait-ms 0)
it starts the release server once on a free loopback port and sends --warmup requests; then,
for each concurrency, --requests base64 photo requests from that many keep-alive client threads
(each level bounded by --seconds). It checks every answer is a 200 with one embedding and prints
throughput, latency percentiles, forward passes formed (from /metrics) and the server's RSS after
warm-up and after each level (repeat a level, e.g. --concurrency 8,8,8,8, to watch memory over
many requests). Speed does not depend on weight values, so the full-size random-weight ViT-B/32
stands in for the real one. Loopback only; nothing leaves the machine.
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

import machine  # bench/machine.py: which CPU these figures come from

ROOT = Path(__file__).resolve().parent.parent
VIT_B32 = ROOT / "bench/out/clip-vit-b32-random"
PHOTOS = ["Tests/Fixtures/clip-inputs/chelsea.jpg", "Tests/Fixtures/clip-inputs/coffee.png",
          "Tests/Fixtures/clip-inputs/astronaut.webp", "Tests/Fixtures/images/rocket_exif8.jpg"]
MODES = [("on ", ["--max-batch", "32", "--max-wait-ms", "5"]), ("off", ["--max-batch", "1", "--max-wait-ms", "0"])]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(port, proc, timeout=120):
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
            time.sleep(0.2)
    sys.exit("server did not start")


def forward_passes(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    return next((int(float(l.split()[-1])) for l in text.splitlines() if l.startswith("seer_batches_total")), 0)


def load(port, bodies, requests, concurrency, seconds):
    """Sends up to `requests` requests from `concurrency` keep-alive threads; returns latencies and failures."""
    latencies, failures, lock = [], [0], threading.Lock()
    counter = iter(range(requests))
    deadline = time.time() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for i in counter:
            if time.time() > deadline:
                break
            t = time.perf_counter()
            conn.request("POST", "/clip/embed_image", body=bodies[i % len(bodies)], headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            dt = time.perf_counter() - t
            ok = resp.status == 200 and len(json.loads(data)["embeddings"]) == 1
            with lock:
                latencies.append(dt)
                failures[0] += 0 if ok else 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0], time.perf_counter() - start


def run_mode(args, extra, bodies):
    port = free_port()
    command = [args.binary, "serve", "--model", args.model, "--host", "127.0.0.1", "--port", str(port)] + extra
    if args.threads:
        command += ["--threads", str(args.threads)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_ready(port, proc)
        # Warm-up: the allocator's per-thread arenas and the model's buffers reach their working size.
        load(port, bodies, args.warmup, max(args.concurrency), args.seconds)
        rss_warm = rss_mib(proc.pid)
        for concurrency in args.concurrency:
            passes = forward_passes(port)
            latencies, failures, wall = load(port, bodies, args.requests, concurrency, args.seconds)
            passes = forward_passes(port) - passes
            latencies.sort()
            pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
            rows.append(dict(concurrency=concurrency, n=len(latencies), failures=failures, rps=len(latencies) / wall,
                             p50=pct(0.50), p99=pct(0.99), passes=passes, rss=rss_mib(proc.pid)))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return rss_warm, rows


def main():
    print(machine.describe())
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=str(VIT_B32 if VIT_B32.exists() else ROOT / "Tests/Fixtures/clip-tiny-gelu-p16"))
    p.add_argument("--binary", default=str(ROOT / ".build/release/seer"))
    p.add_argument("--requests", type=int, default=400, help="per concurrency level")
    p.add_argument("--concurrency", default="1,8,32", help="comma-separated client thread counts")
    p.add_argument("--seconds", type=float, default=60, help="bound on each level")
    p.add_argument("--warmup", type=int, default=100, help="requests before measuring")
    p.add_argument("--threads", type=int, help="server worker threads (default: all cores)")
    args = p.parse_args()
    args.requests = min(args.requests, 200_000)
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    if not Path(args.binary).exists():
        sys.exit(f"{args.binary} not found: swift build -c release --product seer")
    bodies = [json.dumps({"image": {"type": "base64", "value": base64.b64encode((ROOT / f).read_bytes()).decode()}}).encode()
              for f in PHOTOS]
    print(f"seer serve, model {args.model}, {os.cpu_count()} cores, up to {args.requests} requests "
          f"per level (at most {args.seconds:.0f} s), {len(bodies)} photos in turn")
    print("batching  clients     req/s   p50 ms   p99 ms  requests  failed  passes  RSS MiB")
    for name, extra in MODES:
        rss_warm, rows = run_mode(args, extra, bodies)
        print(f"{name}       (after warm-up)                                                {rss_warm:7.0f}")
        for r in rows:
            print(f"{name}      {r['concurrency']:8d}  {r['rps']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f}  {r['n']:8d}  {r['failures']:6d}  "
                  f"{r['passes']:6d}  {r['rss']:7.0f}")


if __name__ == "__main__":
    main()
