"""SeerIndex vector search vs FAISS (faiss-cpu) and hnswlib on the same unit vectors, same run.

    swift build -c release --product seer-bench
    python3 -m pip install faiss-cpu==1.15.1 hnswlib==0.8.0 numpy
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
IndexFlatIP; HNSW (M=32, efConstruction=40 on all three) build time, bytes per vector, and an
efSearch sweep of recall@10 and queries/s for FAISS IndexHNSWFlat, hnswlib and Seer, plus
queries/s at matched recall: for each recall FAISS reached, and at 0.95, 0.99 and 0.995, each
side's q/s there on its own recall/speed curve (interpolated). efSearch means different amounts
of work on the three sides, so only the matched-recall rows compare.

Bytes per vector: FAISS, its vectors plus neighbour table, levels and offsets; hnswlib, the size
of its saved index per vector plus what it keeps per node in memory only (a std::mutex, a
link-list pointer and a level: 52 bytes); Seer, its vectors plus `HNSWIndex.graphBytes`.
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

    hnswlib_build, hnswlib_sweep, hnswlib_bytes, hnswlib_version = run_hnswlib(args, base, queries, truth, k)

    faiss_single = sorted(singles)[len(singles) // 2] * 1000
    faiss_batch = faiss_batched / args.queries * 1000
    print(f"{args.n:,} × {args.d} {args.data}{' sorted' if args.sorted else ''} unit vectors, {args.queries:,} queries, "
          f"top-{k}, {args.threads} threads (faiss {faiss.__version__}, hnswlib {hnswlib_version})")
    print(f"\nexact search (Seer recall vs IndexFlatIP: {seer['exact_recall']:.4f})")
    print(f"  {'':<28} {'FAISS':>10} {'Seer':>10} {'FAISS/Seer':>11}")
    print(f"  {'one query, median ms':<28} {faiss_single:>10.2f} {seer['exact_single_ms']:>10.2f} "
          f"{faiss_single / seer['exact_single_ms']:>10.2f}×")
    print(f"  {'batched, ms per query':<28} {faiss_batch:>10.3f} {seer['exact_batched_ms_per_query']:>10.3f} "
          f"{faiss_batch / seer['exact_batched_ms_per_query']:>10.2f}×")
    sides = [("FAISS", faiss_build, faiss_bytes, faiss_sweep),
             ("hnswlib", hnswlib_build, hnswlib_bytes, hnswlib_sweep),
             ("Seer", seer["hnsw_build_seconds"], seer["hnsw_bytes_per_vector"], seer["hnsw"])]
    print(f"\nHNSW, M=32, efConstruction=40")
    print(f"  {'':<18} {'FAISS':>10} {'hnswlib':>10} {'Seer':>10} {'FAISS/Seer':>11} {'hnswlib/Seer':>13}")
    print(f"  {'build seconds':<18} " + " ".join(f"{b:>10.1f}" for _, b, _, _ in sides)
          + f" {faiss_build / seer['hnsw_build_seconds']:>10.2f}× {hnswlib_build / seer['hnsw_build_seconds']:>12.2f}×")
    print(f"  {'bytes per vector':<18} " + " ".join(f"{m:>10.0f}" for _, _, m, _ in sides))
    print("  recall@10 and queries/s at each efSearch:")
    print(f"  {'efSearch':>8} " + " ".join(f"{name + ' recall':>15} {name + ' q/s':>12}" for name, _, _, _ in sides))
    for row in zip(*(sweep for _, _, _, sweep in sides)):
        print(f"  {row[0]['ef']:>8} " + " ".join(f"{s['recall']:>15.4f} {s['qps']:>12.0f}" for s in row))
    print("  matched recall: each side's q/s at that recall on its own recall/speed frontier (log q/s")
    print("  interpolated between its two nearest settings; n/a: not reached at the largest efSearch):")
    print(f"  {'recall':>8} {'FAISS q/s':>10} {'hnswlib q/s':>12} {'Seer q/s':>10} {'Seer/FAISS':>11} {'Seer/hnswlib':>13}")
    targets = sorted({round(f["recall"], 4) for f in faiss_sweep} | {0.95, 0.99, 0.995})
    for target in targets:
        q = [interpolated_qps(sweep, target) for _, _, _, sweep in sides]
        cells = [f"{v:>{w}.0f}" if v else f"{'n/a':>{w}}" for v, w in zip(q, (10, 12, 10))]
        ratios = [f"{q[2] / v:.2f}×" if v and q[2] else "n/a" for v in (q[0], q[1])]
        mark = "  <-" if target in (0.95, 0.99, 0.995) else ""
        print(f"  {target:>8.4f} {' '.join(cells)} {ratios[0]:>11} {ratios[1]:>13}{mark}")


def run_hnswlib(args, base, queries, truth, k):
    """hnswlib's HNSW (inner product) with the same M, efConstruction and threads: build seconds,
    the efSearch sweep, bytes per vector, version."""
    import hnswlib
    from importlib.metadata import version
    index = hnswlib.Index(space="ip", dim=args.d)
    index.init_index(max_elements=args.n, ef_construction=40, M=32, random_seed=100)
    index.set_num_threads(args.threads)
    t0 = time.perf_counter()
    index.add_items(base, np.arange(args.n))
    build = time.perf_counter() - t0
    sweep = []
    for ef in map(int, args.ef.split(",")):
        index.set_ef(ef)
        elapsed, found = median_pass(lambda: index.knn_query(queries, k=k)[0].astype(np.int64))
        sweep.append({"ef": ef, "recall": recall(found, truth), "qps": args.queries / elapsed})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hnswlib.bin"
        index.save_index(str(path))
        saved = path.stat().st_size
    # In memory beyond the saved file, per node: a std::mutex (40 bytes), the pointer to its
    # upper link lists (8) and its level (4).
    return build, sweep, saved / args.n + 52, version("hnswlib")


if __name__ == "__main__":
    main()
