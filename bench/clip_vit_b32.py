"""Seer vs PyTorch on the CLIP ViT-B/32 image tower, same weights, same batch, same run.

    swift build -c release --product seer-bench
    python bench/clip_vit_b32.py [--threads 2] [--seconds 10] [--batches 1,32]

Builds a full-size openai/clip-vit-base-patch32-shaped CLIPModel with random weights
(speed does not depend on weight values) in bench/out/, preprocesses four real photos with
transformers' CLIPImageProcessorPil, then times `get_image_features` in PyTorch and
`CLIPModel.imageEmbeddings` in Seer, each in its own process limited to --threads threads,
on the same tiled batch. Prints images/s per batch size, the ratio Seer/PyTorch, each
process's peak resident memory, and how closely the two agree on the embeddings.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import machine  # bench/machine.py: which CPU these figures come from

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MODEL = OUT / "clip-vit-b32-random"


def make_model_and_inputs():
    import numpy as np
    import torch
    from PIL import Image
    from skimage import data as skdata
    from transformers import CLIPConfig, CLIPImageProcessorPil, CLIPModel

    if not (MODEL / "model.safetensors").exists():
        torch.manual_seed(0)
        CLIPModel(CLIPConfig()).eval().save_pretrained(MODEL)  # CLIPConfig() defaults = ViT-B/32
    photos = [skdata.astronaut(), skdata.chelsea(), skdata.coffee(), skdata.rocket()]
    pixels = CLIPImageProcessorPil()(images=[Image.fromarray(p) for p in photos], return_tensors="np")["pixel_values"]
    np.save(OUT / "pixels.npy", pixels.astype("<f4"))


def torch_worker(threads, batches, seconds):
    """Runs in a child process so its peak memory is its own."""
    import resource
    import numpy as np
    import torch
    from transformers import CLIPModel

    torch.set_num_threads(threads)
    model = CLIPModel.from_pretrained(MODEL).eval()
    pixels = torch.from_numpy(np.load(OUT / "pixels.npy"))
    results = []
    with torch.inference_mode():
        np.save(OUT / "torch_embeds.npy", model.get_image_features(pixel_values=pixels).pooler_output.numpy())
        for batch in batches:
            x = pixels[torch.arange(batch) % pixels.shape[0]].contiguous()
            model.get_image_features(pixel_values=x)  # warm-up
            times, start = [], time.perf_counter()
            while time.perf_counter() - start < seconds or len(times) < 3:
                t0 = time.perf_counter()
                model.get_image_features(pixel_values=x)
                times.append(time.perf_counter() - t0)
            times.sort()
            median = times[len(times) // 2]
            results.append({"batch": batch, "iterations": len(times), "median_seconds": median,
                            "images_per_second": batch / median})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak_rss_bytes": peak, "results": results}))


def main():
    print(machine.describe())
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.torch_worker:
        return torch_worker(args.threads, batches, args.seconds)

    seer_bench = ROOT / ".build" / "release" / "seer-bench"
    if not seer_bench.exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    OUT.mkdir(parents=True, exist_ok=True)
    make_model_and_inputs()

    env = dict(os.environ, SEER_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    torch_run = subprocess.run([sys.executable, __file__, "--torch-worker", "--threads", str(args.threads),
                                "--seconds", str(args.seconds), "--batches", args.batches],
                               env=env, check=True, capture_output=True, text=True)
    torch_report = json.loads(torch_run.stdout.strip().splitlines()[-1])
    seer_run = subprocess.run([str(seer_bench), "clip", str(MODEL), str(OUT / "pixels.npy"), args.batches,
                               str(args.seconds), str(OUT / "seer_embeds.npy")],
                              env=env, check=True, capture_output=True, text=True)
    seer_report = json.loads(seer_run.stdout)

    import numpy as np
    a, b = np.load(OUT / "seer_embeds.npy"), np.load(OUT / "torch_embeds.npy")
    cosine = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    weights = (MODEL / "model.safetensors").stat().st_size

    print(f"CLIP ViT-B/32 image tower, {args.threads} threads, {os.cpu_count()} cores visible, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'auto')}")
    print(f"{'batch':>5}  {'Seer img/s':>11}  {'PyTorch img/s':>13}  {'Seer/PyTorch':>12}")
    for s, t in zip(seer_report["results"], torch_report["results"]):
        print(f"{s['batch']:>5}  {s['images_per_second']:>11.2f}  {t['images_per_second']:>13.2f}  "
              f"{s['images_per_second'] / t['images_per_second']:>11.2f}x")
    print(f"peak RSS: Seer {seer_report['peak_rss_bytes'] / 2**20:.0f} MiB, PyTorch {torch_report['peak_rss_bytes'] / 2**20:.0f} MiB; "
          f"model.safetensors {weights / 2**20:.0f} MiB (Seer/weights {seer_report['peak_rss_bytes'] / weights:.2f}x)")
    print(f"agreement on 4 photos: min cosine {cosine.min():.7f}, max abs diff {np.abs(a - b).max():.2e}")


if __name__ == "__main__":
    main()
