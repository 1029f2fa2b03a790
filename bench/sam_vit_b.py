"""Seer vs PyTorch on Segment Anything ViT-B: the image encoder and one decoder call, same
weights, same 1024×1024 input, same run.

    swift build -c release --product seer-bench
    python bench/sam_vit_b.py [--threads 2] [--seconds 20] [--seer-bench PATH]

Builds a full-size facebook/sam-vit-base-shaped SamModel (SamConfig() defaults: hidden 768,
12 layers, 12 heads, windows of 14, global attention in layers 2, 5, 8, 11) with random
weights (speed does not depend on weight values; all weights, the position tables included,
are drawn with std 0.02 so that the agreement check means something) once into
bench/out/, preprocesses a real photo with SamImageProcessorPil, then times in PyTorch
`get_image_embeddings`, `SamModel(image_embeddings=…, input_points=one point,
multimask_output=True)` (alone and with `post_process_masks`) and the same with 64 points in
one call (what the automatic mask generator sends), and in Seer
`SAM.imageEmbedding(pixelValues:)` and `SAM.predict` (which includes the upscaling to the
original size), each in its own process limited to --threads threads. Prints the medians, the
ratios and how closely the two agree.
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
MODEL = OUT / "sam-vit-b-random"
POINT = (500.0, 375.0)  # in the 1024×1024 input: the astronaut's chest


def make_model_and_inputs():
    import numpy as np
    import torch
    from PIL import Image
    from skimage import data as skdata
    from transformers import SamConfig, SamImageProcessorPil, SamModel

    if not (MODEL / "model.safetensors").exists():
        torch.manual_seed(0)
        model = SamModel(SamConfig()).eval()
        # transformers draws the vision tower's weights with std 1e-10 (initializer_range), which
        # makes the embedding all but zero; std 0.02 everywhere gives outputs worth comparing.
        with torch.no_grad():
            for name, p in model.named_parameters():
                if p.dim() > 1 or "rel_pos" in name or name.endswith("pos_embed"):
                    p.normal_(std=0.02)
        model.save_pretrained(MODEL)
        SamImageProcessorPil().save_pretrained(MODEL)
    # A 1024×1024 photo, so the processor's resize is the identity and original = model frame.
    photo = Image.fromarray(skdata.astronaut()).resize((1024, 1024), Image.BICUBIC)
    pixels = SamImageProcessorPil()(images=photo, return_tensors="np")["pixel_values"]
    np.save(OUT / "sam_pixels.npy", pixels[0].astype("<f4"))


def median_seconds(fn, budget, minimum=3):
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < budget or len(times) < minimum:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], len(times)


def torch_worker(threads, seconds):
    """Runs in a child process so its thread count and memory are its own."""
    import resource
    import numpy as np
    import torch
    from transformers import SamImageProcessorPil, SamModel

    torch.set_num_threads(threads)
    model = SamModel.from_pretrained(MODEL).eval()
    processor = SamImageProcessorPil()
    pixels = torch.from_numpy(np.load(OUT / "sam_pixels.npy"))[None]
    points = torch.tensor([[[list(POINT)]]], dtype=torch.float64)
    labels = torch.tensor([[[1]]])
    sizes = [[1024, 1024]]
    with torch.inference_mode():
        embedding = model.get_image_embeddings(pixels)  # warm-up, and the output to compare
        encoder, encoder_runs = median_seconds(lambda: model.get_image_embeddings(pixels), seconds)

        def decode():
            return model(image_embeddings=embedding, input_points=points, input_labels=labels, multimask_output=True)

        out = decode()
        decoder, decoder_runs = median_seconds(decode, min(seconds, 5), minimum=10)
        grid = torch.tensor([[[[1024 * (i % 8 + 0.5) / 8, 1024 * (i // 8 + 0.5) / 8]] for i in range(64)]], dtype=torch.float64)
        decoder64, _ = median_seconds(lambda: processor.post_process_masks(
            model(image_embeddings=embedding, input_points=grid, input_labels=torch.ones(1, 64, 1, dtype=torch.long),
                  multimask_output=True).pred_masks, sizes, sizes, binarize=False), min(seconds, 5))
        decoder_post, _ = median_seconds(
            lambda: processor.post_process_masks(decode().pred_masks, sizes, sizes, binarize=False), min(seconds, 5), minimum=10)
    np.save(OUT / "torch_sam_embedding.npy", embedding[0].numpy())
    np.save(OUT / "torch_sam_masks.npy", out.pred_masks[0, 0].numpy())
    np.save(OUT / "torch_sam_iou.npy", out.iou_scores[0, 0].numpy())
    print(json.dumps({"encoder_seconds": encoder, "encoder_runs": encoder_runs, "decoder_seconds": decoder,
                      "decoder_runs": decoder_runs, "decoder_post_seconds": decoder_post, "decoder64_seconds": decoder64,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def main():
    print(machine.describe())
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20, help="time budget per encoder measurement")
    parser.add_argument("--seer-bench", default=str(ROOT / ".build" / "release" / "seer-bench"))
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        return torch_worker(args.threads, args.seconds)

    if not Path(args.seer_bench).exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    OUT.mkdir(parents=True, exist_ok=True)
    make_model_and_inputs()

    env = dict(os.environ, SEER_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    torch_run = subprocess.run([sys.executable, __file__, "--torch-worker", "--threads", str(args.threads),
                                "--seconds", str(args.seconds)], env=env, check=True, capture_output=True, text=True)
    torch_report = json.loads(torch_run.stdout.strip().splitlines()[-1])
    seer_run = subprocess.run([args.seer_bench, "sam", str(MODEL), str(OUT / "sam_pixels.npy"), str(args.seconds),
                               str(POINT[0]), str(POINT[1]), str(OUT)], env=env, check=True, capture_output=True, text=True)
    seer_report = json.loads(seer_run.stdout)

    import numpy as np
    def agreement(name):
        a, b = np.load(OUT / f"seer_sam_{name}.npy").ravel(), np.load(OUT / f"torch_sam_{name}.npy").ravel()
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))), float(np.abs(a - b).max())

    s, t = seer_report, torch_report
    print(f"SAM ViT-B (random weights), 1024×1024 input, {args.threads} threads, {os.cpu_count()} cores visible")
    print(f"{'':>28}  {'Seer':>9}  {'PyTorch':>9}  {'PyTorch/Seer':>12}")
    print(f"{'image encoder, s/image':>28}  {s['encoder_seconds']:>9.3f}  {t['encoder_seconds']:>9.3f}  "
          f"{t['encoder_seconds'] / s['encoder_seconds']:>11.2f}x")
    print(f"{'decoder call (1 point), ms':>28}  {s['decoder_seconds'] * 1e3:>9.1f}  {t['decoder_seconds'] * 1e3:>9.1f}  "
          f"{t['decoder_seconds'] / s['decoder_seconds']:>11.2f}x   (PyTorch without post_process_masks)")
    print(f"{'  + masks at 1024², ms':>28}  {s['decoder_seconds'] * 1e3:>9.1f}  {t['decoder_post_seconds'] * 1e3:>9.1f}  "
          f"{t['decoder_post_seconds'] / s['decoder_seconds']:>11.2f}x   (Seer's predict always upscales)")
    print(f"{'64 points in one call, ms':>28}  {s['decoder64_seconds'] * 1e3:>9.1f}  {t['decoder64_seconds'] * 1e3:>9.1f}  "
          f"{t['decoder64_seconds'] / s['decoder64_seconds']:>11.2f}x   (both with masks at 1024²)")
    print(f"runs: Seer encoder {s['encoder_runs']}, PyTorch encoder {t['encoder_runs']}; peak RSS Seer "
          f"{s['peak_rss_bytes'] / 2**20:.0f} MiB, PyTorch {t['peak_rss_bytes'] / 2**20:.0f} MiB")
    for name in ("embedding", "masks", "iou"):
        cosine, diff = agreement(name)
        print(f"agreement {name:>9}: cosine {cosine:.7f}, max abs diff {diff:.2e}")


if __name__ == "__main__":
    main()
