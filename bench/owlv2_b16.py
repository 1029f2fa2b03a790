"""Seer vs PyTorch (and ONNX Runtime when it can export) on a full-size OWLv2 B/16 at 960 px, same weights, same run.

    swift build -c release --product seer-bench
    python bench/owlv2_b16.py [--threads 2] [--seconds 20] [--batches 1,8] [--prompts 100]

Builds a google/owlv2-base-patch16-shaped Owlv2ForObjectDetection with random weights (speed does
not depend on weight values) in bench/out/, preprocesses two real photos with transformers'
Owlv2ImageProcessorPil (pad, Gaussian, zoom to 960), then times the whole detector (vision tower,
box, class and objectness heads; three text queries) in PyTorch and in Seer, each in its own
process limited to --threads threads, on the same tiled batch, and the cost of embedding --prompts
text queries (tokenizer + text tower). Prints images/s per batch size, the ratio Seer/PyTorch,
peak resident memory, and how closely the two agree on logits, boxes and objectness.

PyTorch's forward also re-embeds its three queries per image (a few milliseconds beside the
vision tower); Seer embeds them once, as `seer detect` does.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import machine  # bench/machine.py: which CPU these figures come from

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MODEL = OUT / "owlv2-b16-random"
QUERIES = ["a photo of a cat", "an astronaut", "a cup of coffee"]


def prompts(count):
    """Distinct prompts of the usual length: 'a photo of a <noun>' over a fixed list."""
    nouns = ["cat", "dog", "car", "person", "forklift", "bicycle", "helmet", "pallet", "truck", "box",
             "chair", "cup", "bottle", "laptop", "phone", "tree", "sign", "door", "window", "bag"]
    return [f"a photo of a {nouns[i % len(nouns)]} number {i}" for i in range(count)]


def make_model_and_inputs(count):
    import numpy as np
    import torch
    from PIL import Image
    from skimage import data as skdata
    from transformers import Owlv2Config, Owlv2ForObjectDetection, Owlv2ImageProcessorPil

    if not (MODEL / "model.safetensors").exists():
        torch.manual_seed(0)
        config = Owlv2Config(vision_config={"image_size": 960, "patch_size": 16})  # owlv2-base-patch16
        Owlv2ForObjectDetection(config).eval().save_pretrained(MODEL)
    vocab = ROOT / "Tests" / "Fixtures" / "clip-vocab"
    for name in ("vocab.json", "merges.txt"):
        shutil.copyfile(vocab / name, MODEL / name)
    shutil.copyfile(ROOT / "Tests" / "Fixtures" / "owlv2-tiny" / "tokenizer_config.json", MODEL / "tokenizer_config.json")
    processor = Owlv2ImageProcessorPil(size={"height": 960, "width": 960})
    processor.save_pretrained(MODEL)
    photos = [skdata.astronaut(), skdata.coffee()]
    pixels = processor(images=[Image.fromarray(p) for p in photos], return_tensors="np")["pixel_values"]
    np.save(OUT / "owl_pixels.npy", pixels.astype("<f4"))
    (OUT / "owl_prompts.json").write_text(json.dumps(QUERIES + prompts(count - len(QUERIES))))


def timed(budget, body):
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < budget or len(times) < 3:
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], len(times)


def torch_worker(threads, batches, seconds):
    import resource
    import numpy as np
    import torch
    from transformers import CLIPTokenizer, Owlv2ForObjectDetection

    torch.set_num_threads(threads)
    model = Owlv2ForObjectDetection.from_pretrained(MODEL).eval()
    tokenizer = CLIPTokenizer.from_pretrained(MODEL)
    pixels = torch.from_numpy(np.load(OUT / "owl_pixels.npy"))
    all_prompts = json.loads((OUT / "owl_prompts.json").read_text())
    ids = tokenizer(QUERIES, padding="max_length", return_tensors="pt")["input_ids"]
    results = []
    with torch.inference_mode():
        sample = model(input_ids=ids.repeat(pixels.shape[0], 1), pixel_values=pixels)
        np.save(OUT / "torch_owl_logits.npy", sample.logits.numpy())
        np.save(OUT / "torch_owl_boxes.npy", sample.pred_boxes.numpy())
        np.save(OUT / "torch_owl_objectness.npy", sample.objectness_logits.numpy())

        def embed_prompts():
            batch = tokenizer(all_prompts, padding="max_length", truncation=True, return_tensors="pt")
            model.owlv2.get_text_features(**batch)

        text_seconds, _ = timed(min(seconds, 5), embed_prompts)
        for batch in batches:
            x = pixels[torch.arange(batch) % pixels.shape[0]].contiguous()
            median, iterations = timed(seconds, lambda: model(input_ids=ids.repeat(batch, 1), pixel_values=x))
            results.append({"batch": batch, "iterations": iterations, "median_seconds": median,
                            "images_per_second": batch / median})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak_rss_bytes": peak, "results": results, "text_seconds": text_seconds}))


def onnx_worker(threads, batches, seconds):
    """ONNX Runtime on the same model, exported by torch.onnx; prints a reason instead when it cannot."""
    import numpy as np
    import torch
    try:
        import onnxruntime as ort
        from transformers import CLIPTokenizer, Owlv2ForObjectDetection
        model = Owlv2ForObjectDetection.from_pretrained(MODEL).eval()
        tokenizer = CLIPTokenizer.from_pretrained(MODEL)
        ids = tokenizer(QUERIES, padding="max_length", return_tensors="pt")["input_ids"]
        pixels = torch.from_numpy(np.load(OUT / "owl_pixels.npy"))[:1]
        path = OUT / "owlv2-b16.onnx"
        if not path.exists():
            torch.onnx.export(model, (ids, pixels), str(path), input_names=["input_ids", "pixel_values"],
                              output_names=["logits", "pred_boxes"], dynamic_axes={"input_ids": {0: "q"}, "pixel_values": {0: "b"}})
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # the comparison still stands without this peer
        print(json.dumps({"error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}))
        return
    results = []
    for batch in batches:
        x = pixels[torch.arange(batch) % 1].numpy()
        feed = {"input_ids": ids.repeat(batch, 1).numpy(), "pixel_values": x}
        median, iterations = timed(seconds, lambda: session.run(None, feed))
        results.append({"batch": batch, "iterations": iterations, "median_seconds": median, "images_per_second": batch / median})
    print(json.dumps({"results": results}))


def main():
    print(machine.describe())
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--prompts", type=int, default=100)
    parser.add_argument("--no-onnx", action="store_true", help="skip the ONNX Runtime peer")
    parser.add_argument("--worker", choices=["torch", "onnx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.worker == "torch":
        return torch_worker(args.threads, batches, args.seconds)
    if args.worker == "onnx":
        return onnx_worker(args.threads, batches, args.seconds)

    seer_bench = ROOT / ".build" / "release" / "seer-bench"
    if not seer_bench.exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    OUT.mkdir(parents=True, exist_ok=True)
    make_model_and_inputs(args.prompts)

    env = dict(os.environ, SEER_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    worker = [sys.executable, __file__, "--threads", str(args.threads), "--seconds", str(args.seconds), "--batches", args.batches]
    torch_report = json.loads(subprocess.run(worker + ["--worker", "torch"], env=env, check=True, capture_output=True,
                                             text=True).stdout.strip().splitlines()[-1])
    seer_report = json.loads(subprocess.run([str(seer_bench), "owlv2", str(MODEL), str(OUT / "owl_pixels.npy"),
                                             str(OUT / "owl_prompts.json"), args.batches, str(args.seconds), str(OUT)],
                                            env=env, check=True, capture_output=True, text=True).stdout)
    onnx_report = {"error": "skipped (--no-onnx)"}
    if not args.no_onnx:
        onnx_report = json.loads(subprocess.run(worker + ["--worker", "onnx"], env=env, capture_output=True,
                                                text=True).stdout.strip().splitlines()[-1] or '{"error": "no output"}')

    import numpy as np
    print(f"OWLv2 B/16 detector at 960 px (3,600 boxes), {args.threads} threads, {os.cpu_count()} cores visible")
    onnx_results = {r["batch"]: r for r in onnx_report.get("results", [])}
    print(f"{'batch':>5}  {'Seer img/s':>11}  {'PyTorch img/s':>13}  {'ORT img/s':>10}  {'Seer/PyTorch':>12}")
    for s, t in zip(seer_report["results"], torch_report["results"]):
        o = onnx_results.get(s["batch"])
        ort = f"{o['images_per_second']:.3f}" if o else "-"
        print(f"{s['batch']:>5}  {s['images_per_second']:>11.3f}  {t['images_per_second']:>13.3f}  "
              f"{ort:>10}  {s['images_per_second'] / t['images_per_second']:>11.2f}x")
    if "error" in onnx_report:
        print(f"ONNX Runtime: {onnx_report['error']}")
    print(f"{seer_report['text_prompts']} text queries: Seer {seer_report['text_seconds'] * 1000:.1f} ms, "
          f"PyTorch {torch_report['text_seconds'] * 1000:.1f} ms")
    print(f"peak RSS: Seer {seer_report['peak_rss_bytes'] / 2**20:.0f} MiB, PyTorch {torch_report['peak_rss_bytes'] / 2**20:.0f} MiB")
    for name in ("logits", "boxes", "objectness"):
        a, b = np.load(OUT / f"seer_owl_{name}.npy"), np.load(OUT / f"torch_owl_{name}.npy")
        print(f"agreement on 2 photos, {name}: max abs diff {np.abs(a - b.reshape(a.shape)).max():.2e}")


if __name__ == "__main__":
    main()
