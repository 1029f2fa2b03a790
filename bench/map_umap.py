"""Seer's UMAP (the map `seer map` makes) vs umap-learn on the same vectors, same threads, same run.

    swift build -c release --product seer-bench
    python3 -m pip install umap-learn==0.5.12 scikit-learn==1.9.1 pynndescent==0.7.0 numba==0.68.1
    python3 bench/map_umap.py                       # 10,000 and 100,000 × 512
    python3 bench/map_umap.py --sizes 10000          # a quick run
    python3 bench/map_umap.py --sizes 10000,100000,1000000

The data: unit vectors around 1,000 random centres in 512 dimensions (Gaussian noise of total
norm 0.6, as bench/search.py's `clustered`), float32, written as one .npy both sides read. Both
use the cosine metric and umap-learn's defaults (15 neighbours, min_dist 0.1, spectral init,
500 epochs up to 10,000 rows, 200 above). umap-learn runs unseeded with n_jobs = --threads (a
seed would make it single-threaded) and NUMBA_NUM_THREADS = --threads; Seer runs with
SEER_NUM_THREADS = --threads. Each side runs in its own process, timed from the moment the data is
loaded (umap-learn's numba compilation happens inside its timing, as a first call would pay it;
a warm-up fit on 2,000 rows runs first and its time is printed apart so the steady cost is
visible too). Printed per size: seconds, the ratio, peak resident memory of each process, and
trustworthiness at k = 10 (scikit-learn's) of each embedding on a random 3,000-row sample (the
exact measure is O(n²)).
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

UMAP_LEARN = r"""
import json, resource, sys, time
import numpy as np
data_path, out_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
x = np.load(data_path)
import umap
t0 = time.perf_counter()
umap.UMAP(n_jobs=threads, metric="cosine").fit_transform(x[:2000])
warm = time.perf_counter() - t0
t0 = time.perf_counter()
embedding = umap.UMAP(n_jobs=threads, metric="cosine").fit_transform(x)
seconds = time.perf_counter() - t0
np.save(out_path, embedding.astype(np.float32))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "warmup_seconds": warm, "peak_resident_bytes": peak}))
"""


def clustered(n, d=512, centres=1000, spread=0.6, seed=7):
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, d), dtype=np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        x = c[rng.integers(0, centres, m)] + rng.standard_normal((m, d), dtype=np.float32) * np.float32(spread / np.sqrt(d))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[start:start + m] = x
    return out


def sampled_trustworthiness(x, embedding, rows):
    from sklearn.manifold import trustworthiness
    return float(trustworthiness(x[rows], embedding[rows], n_neighbors=10))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seer-bench", default=str(ROOT / ".build" / "release" / "seer-bench"))
    parser.add_argument("--skip-umap-learn", action="store_true")
    args = parser.parse_args()
    print(machine.describe())
    if not Path(args.seer_bench).exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    print(f"threads: {args.threads}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            x = clustered(n)
            data = os.path.join(tmp, "data.npy")
            np.save(data, x)
            env = dict(os.environ, SEER_NUM_THREADS=str(args.threads), NUMBA_NUM_THREADS=str(args.threads),
                       OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS="1")
            t0 = time.perf_counter()
            seer = json.loads(subprocess.run([args.seer_bench, "umap", data, os.path.join(tmp, "seer.npy")], env=env,
                                             check=True, capture_output=True, text=True).stdout)
            seer_wall = time.perf_counter() - t0
            sample = np.random.default_rng(1).choice(n, size=min(n, 3000), replace=False)
            seer_t = sampled_trustworthiness(x, np.load(os.path.join(tmp, "seer.npy")), sample)
            row = {"n": n, "seer_seconds": seer["total_seconds"], "seer_knn_seconds": seer["knn_seconds"],
                   "seer_umap_seconds": seer["umap_seconds"], "seer_process_seconds": seer_wall,
                   "seer_peak_mib": seer["peak_resident_bytes"] / 2**20, "seer_trustworthiness": seer_t,
                   "seer_init": seer["initialisation"]}
            if not args.skip_umap_learn:
                peer = json.loads(subprocess.run([sys.executable, "-c", UMAP_LEARN, data, os.path.join(tmp, "peer.npy"), str(args.threads)],
                                                 env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
                row.update({"umap_learn_seconds": peer["seconds"], "umap_learn_warmup_seconds": peer["warmup_seconds"],
                            "umap_learn_peak_mib": peer["peak_resident_bytes"] / 2**20,
                            "umap_learn_trustworthiness": sampled_trustworthiness(x, np.load(os.path.join(tmp, "peer.npy")), sample),
                            "ratio": peer["seconds"] / seer["total_seconds"]})
            rows.append(row)
            print(json.dumps(row))
    print()
    print("| n × 512 | Seer s (k-NN + UMAP) | umap-learn s | umap-learn / Seer | peak MiB Seer / umap-learn | trustworthiness (3k sample) Seer / umap-learn |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        peer = (f"{r['umap_learn_seconds']:.1f}", f"**{r['ratio']:.2f}×**", f"{r['seer_peak_mib']:.0f} / {r['umap_learn_peak_mib']:.0f}",
                f"{r['seer_trustworthiness']:.4f} / {r['umap_learn_trustworthiness']:.4f}") if "ratio" in r else \
               ("–", "–", f"{r['seer_peak_mib']:.0f} / –", f"{r['seer_trustworthiness']:.4f} / –")
        print(f"| {r['n']:,} | {r['seer_seconds']:.1f} ({r['seer_knn_seconds']:.1f} + {r['seer_umap_seconds']:.1f}) | {peer[0]} | {peer[1]} | {peer[2]} | {peer[3]} |")


if __name__ == "__main__":
    main()
