"""SeerIndex vector search vs FAISS (faiss-cpu) on the same random unit vectors, same run.

    swift build -c release --product seer-bench
    pip install faiss-cpu numpy
    python bench/search.py                 # 1,000,000 × 512, 1,000 queries
    python bench/search.py --n 200000      # a quicker run
    python bench/search.py --data clustered   # vectors around 1,000 centres, like real embeddings
    python bench/search.py --data clustered --sorted --n 100000   # rows in cluster order

The data: n base vectors and the queries, scaled to unit length (so inner product = cosine),
float32, written as .npy files that both sides read. `random`: i.i.d. Gaussian, the hardest case
for any graph index (no neighbourhood structure: recall stays low at every efSearch).
`clustered`: Gaussian clouds around random centres, closer to real embeddings. Ground truth: FAISS
IndexFlatIP. Both sides use the same number of threads (--threads, default: all cores).

Printed: exact top-10 latency (one query at a time, and all queries in one call) vs
IndexFlatIP; HNSW (M=32, efConstruction=40 on both) build time, bytes per vector, and an
efSearch sweep of recall@10 and queries/s vs IndexHNSWFlat, plus queries/s at matched recall:
for each recall FAISS reached, the fastest setting of each side that reaches it. (efSearch
means different amounts of work on the two sides, so only the matched-recall rows compare.)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import machine  # bench/machine.py: which CPU these figures come from

ROOT = Path(__file__).resolve().parents[1]


def unit_rows(rng, n, d):
    x = rng.standard_normal((n, d), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def clustered_rows(rng, centres, n, spread=0.6, chunk=100_000, labels=None):
    """n unit vectors, each a random centre plus Gaussian noise of total norm ≈ spread (the
    centre of each row goes to `labels` when given)."""
    d = centres.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        picked = rng.integers(0, len(centres), m)
        if labels is not None:
            labels[start:start + m] = picked
        x = centres[picked]
        x += rng.standard_normal((m, d), dtype=np.float32) * np.float32(spread / np.sqrt(d))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[start:start + m] = x
    return out


def recall(found, truth):
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def median_pass(search, budget=1.0):
    """Seconds of one pass over the queries (the median of passes run for `budget` seconds, at
    least three: one pass can take a few milliseconds), and that pass's results. seer-bench
    times its passes the same way."""
    times, start = [], time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        found = search()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], found


def interpolated_qps(sweep, target):
    """Queries/s at exactly `target` recall on a sweep's recall/speed frontier (the settings no
    other setting beats on both): log(q/s) linear in recall between the two frontier points
    around it; the fastest point's q/s when even that one reaches the target; None beyond the
    most accurate point."""
    frontier = []
    for r, q in sorted(((s["recall"], s["qps"]) for s in sweep), key=lambda p: (-p[0], -p[1])):
        if not frontier or q > frontier[-1][1]:
            frontier.append((r, q))
    frontier.reverse()  # recall ascending, q/s descending
    if not frontier or target > frontier[-1][0]:
        return None
    if target <= frontier[0][0]:
        return frontier[0][1]
    for (r0, q0), (r1, q1) in zip(frontier, frontier[1:]):
        if r0 <= target <= r1:
            t = (target - r0) / (r1 - r0)
            return float(np.exp(np.log(q0) + t * (np.log(q1) - np.log(q0))))
    return None


def qps_at(sweep, target):
    """Queries/s of the fastest setting whose recall reaches target (None if none does)."""
    ok = [s for s in sweep if s["recall"] >= target]
    return max((s["qps"] for s in ok), default=None)


def main():
    print(machine.describe())
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=512)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", choices=("random", "clustered"), default="random")
    parser.add_argument("--sorted", action="store_true",
                        help="clustered rows in cluster order, as a folder walk delivers similar photos")
    parser.add_argument("--ef", default="16,24,32,48,64,96,128,192,256,384,512,768,1024")
    parser.add_argument("--seer-bench", default=str(ROOT / ".build" / "release" / "seer-bench"))
    args = parser.parse_args()
    import faiss

    if not Path(args.seer_bench).exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    if args.data == "random":
        base = unit_rows(rng, args.n, args.d)
        queries = unit_rows(rng, args.queries, args.d)
    else:
        centres = unit_rows(rng, 1000, args.d)
        labels = np.empty(args.n, dtype=np.int64)
        base = clustered_rows(rng, centres, args.n, labels=labels)
        queries = clustered_rows(rng, centres, args.queries)
        if args.sorted:
            base = base[np.argsort(labels, kind="stable")]
    k = 10

    flat = faiss.IndexFlatIP(args.d)
    flat.add(base)
    singles = []
    for q in range(min(50, args.queries)):
        t0 = time.perf_counter()
        flat.search(queries[q:q + 1], k)
        singles.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    _, truth = flat.search(queries, k)
    faiss_batched = time.perf_counter() - t0
    del flat

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / name for name in ("base.npy", "queries.npy", "truth.npy")]
        for path, array in zip(paths, (base, queries, truth.astype(np.float32))):
            np.save(path, array)
        env = dict(os.environ, SEER_NUM_THREADS=str(args.threads))
        out = subprocess.run([args.seer_bench, "search", *map(str, paths), args.ef, "32"],
                             check=True, capture_output=True, text=True, env=env).stdout
    seer = json.loads(out)

    hnsw = faiss.IndexHNSWFlat(args.d, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 40
    t0 = time.perf_counter()
    hnsw.add(base)
    faiss_build = time.perf_counter() - t0
    faiss_sweep = []
    for ef in map(int, args.ef.split(",")):
        hnsw.hnsw.efSearch = ef
        elapsed, found = median_pass(lambda: hnsw.search(queries, k)[1])
        faiss_sweep.append({"ef": ef, "recall": recall(found, truth), "qps": args.queries / elapsed})
    # FAISS HNSW storage: the vectors plus the neighbour table (int32), levels and offsets.
    faiss_bytes = args.d * 4 + (hnsw.hnsw.neighbors.size() * 4 + hnsw.hnsw.levels.size() * 4
                                + hnsw.hnsw.offsets.size() * 8) / args.n

    faiss_single = sorted(singles)[len(singles) // 2] * 1000
    faiss_batch = faiss_batched / args.queries * 1000
    print(f"{args.n:,} × {args.d} {args.data} unit vectors, {args.queries:,} queries, top-{k}, {args.threads} threads "
          f"(faiss {faiss.__version__})")
    print(f"\nexact search (Seer recall vs IndexFlatIP: {seer['exact_recall']:.4f})")
    print(f"  {'':<28} {'FAISS':>10} {'Seer':>10} {'FAISS/Seer':>11}")
    print(f"  {'one query, median ms':<28} {faiss_single:>10.2f} {seer['exact_single_ms']:>10.2f} "
          f"{faiss_single / seer['exact_single_ms']:>10.2f}×")
    print(f"  {'batched, ms per query':<28} {faiss_batch:>10.3f} {seer['exact_batched_ms_per_query']:>10.3f} "
          f"{faiss_batch / seer['exact_batched_ms_per_query']:>10.2f}×")
    print(f"\nHNSW, M=32, efConstruction=40")
    print(f"  build seconds     FAISS {faiss_build:8.1f}   Seer {seer['hnsw_build_seconds']:8.1f}   "
          f"(FAISS/Seer {faiss_build / seer['hnsw_build_seconds']:.2f}×)")
    print(f"  bytes per vector  FAISS {faiss_bytes:8.0f}   Seer {seer['hnsw_bytes_per_vector']:8.0f}")
    print(f"  {'efSearch':>8} {'FAISS recall':>13} {'FAISS q/s':>10} {'Seer recall':>12} {'Seer q/s':>10}")
    for f, s in zip(faiss_sweep, seer["hnsw"]):
        print(f"  {f['ef']:>8} {f['recall']:>13.4f} {f['qps']:>10.0f} {s['recall']:>12.4f} {s['qps']:>10.0f}")
    print("  matched recall, at each recall FAISS reached: Seer's q/s on its own curve there (interpolated),")
    print("  and the fastest Seer setting whose recall is at least as high (conservative):")
    print(f"  {'recall':>8} {'FAISS q/s':>10} {'Seer q/s':>10} {'Seer/FAISS':>11} {'conservative':>13}")
    for f in faiss_sweep:
        interpolated, conservative = interpolated_qps(seer["hnsw"], f["recall"]), qps_at(seer["hnsw"], f["recall"])
        ratio = f"{interpolated / f['qps']:.2f}×" if interpolated else "n/a"
        floor = f"{conservative / f['qps']:.2f}×" if conservative else "n/a"
        print(f"  {f['recall']:>8.4f} {f['qps']:>10.0f} {interpolated or float('nan'):>10.0f} {ratio:>11} {floor:>13}")


if __name__ == "__main__":
    main()
