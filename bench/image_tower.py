"""Seer vs PyTorch vs ONNX Runtime on an image tower, same weights, same batch, same run.

    swift build -c release --product seer-bench
    python bench/image_tower.py --model dinov2-b14|siglip-b16|siglip-so400m \
        [--threads 2] [--seconds 10] [--batches 1,32] [--rounds 3]

Builds a full-size model of that shape with random weights (speed does not depend on weight
values) in bench/out/: facebook/dinov2-base (ViT-B/14, 224 px crops of positions stored for
518 px), google/siglip-base-patch16-224, or google/siglip-so400m-patch14-384. Preprocesses
four real photos with the model's transformers image processor (PIL path), exports the image
tower to ONNX (what Roboflow Inference runs its embedders on), then times the image embedding
(DINOv2: `pooler_output`; SigLIP: the vision tower's attention-pooled `pooler_output`, which
`get_image_features` returns) in PyTorch, ONNX Runtime (all graph optimizations) and Seer
(`seer-bench embed`, through the model registry as `seer embed` loads it), each in its own
process limited to --threads threads, on the same tiled batch, in --rounds rounds of all three
in rotated order. Prints the median images/s per batch size, the median per-round ratio of
Seer to each peer and to the faster one, each process's peak resident memory, and how closely
the three agree on the embeddings.

Pinned peers: torch 2.13.0+cpu and transformers 5.23.0 (scripts/fixtures/requirements.txt),
onnxruntime 1.32.0 and onnx 1.23.2 (`pip install onnxruntime==1.32.0 onnx==1.23.2`).
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

# name: (title, transformers family, config arguments)
MODELS = {
    "dinov2-b14": ("DINOv2 ViT-B/14 at 224 px (pooler_output)", "dinov2",
                   dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                        patch_size=14, image_size=518)),
    "siglip-b16": ("SigLIP B/16 at 224 px (image features)", "siglip",
                   dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                        patch_size=16, image_size=224)),
    "siglip-so400m": ("SigLIP So400m/14 at 384 px (image features)", "siglip",
                      dict(hidden_size=1152, num_hidden_layers=27, num_attention_heads=16, intermediate_size=4304,
                           patch_size=14, image_size=384)),
}


def paths(name):
    return OUT / f"{name}-random", OUT / f"{name}-random.onnx", OUT / f"{name}_pixels.npy"


def build_model(name):
    """Writes the random-weight checkpoint in the Hub layout Seer loads, and returns the
    processor for the photos."""
    import torch
    _, family, shape = MODELS[name]
    model_dir, _, _ = paths(name)
    if family == "dinov2":
        from transformers import BitImageProcessorPil, Dinov2Config, Dinov2Model
        processor = BitImageProcessorPil(size={"shortest_edge": 256}, crop_size={"height": 224, "width": 224}, resample=3,
                                         image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
        if not (model_dir / "model.safetensors").exists():
            torch.manual_seed(0)
            Dinov2Model(Dinov2Config(**shape)).eval().save_pretrained(model_dir)
    else:
        from transformers import SiglipConfig, SiglipImageProcessorPil, SiglipModel
        size = shape["image_size"]
        processor = SiglipImageProcessorPil(size={"height": size, "width": size})
        if not any(model_dir.glob("model*.safetensors")):
            torch.manual_seed(0)
            # The text tower as the checkpoint has it (Seer loads the whole model; only the
            # image tower is timed).
            text = dict(hidden_size=shape["hidden_size"], num_hidden_layers=shape["num_hidden_layers"],
                        num_attention_heads=shape["num_attention_heads"], intermediate_size=shape["intermediate_size"])
            SiglipModel(SiglipConfig(vision_config=shape, text_config=text)).eval().save_pretrained(model_dir)
        # A SentencePiece model so that the folder loads as a whole SigLIP checkpoint; the
        # bench never tokenizes.
        shutil.copy(ROOT / "Tests" / "Fixtures" / "siglip-tiny" / "spiece.model", model_dir / "spiece.model")
    processor.save_pretrained(model_dir)
    return processor


def load_tower(name):
    """The PyTorch module whose output Seer's embedding is compared with."""
    import torch
    _, family, _ = MODELS[name]
    model_dir, _, _ = paths(name)
    if family == "dinov2":
        from transformers import Dinov2Model
        inner = Dinov2Model.from_pretrained(model_dir).eval()
    else:
        from transformers import SiglipModel
        inner = SiglipModel.from_pretrained(model_dir).eval().vision_model

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def forward(self, pixel_values):
            return self.inner(pixel_values=pixel_values).pooler_output

    return Pooled().eval()


def make_model_and_inputs(name):
    import numpy as np
    import torch
    from PIL import Image
    from skimage import data as skdata

    OUT.mkdir(parents=True, exist_ok=True)
    _, onnx_path, pixels_path = paths(name)
    processor = build_model(name)
    photos = [skdata.astronaut(), skdata.chelsea(), skdata.coffee(), skdata.rocket()]
    pixels = processor(images=[Image.fromarray(p) for p in photos], return_tensors="np")["pixel_values"]
    np.save(pixels_path, pixels.astype("<f4"))
    if not onnx_path.exists():
        with torch.inference_mode():
            torch.onnx.export(load_tower(name), (torch.from_numpy(pixels),), str(onnx_path), input_names=["pixel_values"],
                              output_names=["embedding"], dynamic_axes={"pixel_values": {0: "batch"}},
                              opset_version=17, dynamo=False)


def timed(run, batch, seconds):
    run(batch)  # warm-up
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 3:
        t0 = time.perf_counter()
        run(batch)
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    return {"batch": batch, "iterations": len(times), "median_seconds": median, "images_per_second": batch / median}


def peer_worker(name, peer, threads, batches, seconds):
    """Runs in a child process so that its peak memory is its own."""
    import resource
    import numpy as np

    _, onnx_path, pixels_path = paths(name)
    pixels = np.load(pixels_path)
    tiled = {b: np.ascontiguousarray(pixels[np.arange(b) % len(pixels)]) for b in batches}
    if peer == "torch":
        import torch
        torch.set_num_threads(threads)
        tower = load_tower(name)
        with torch.inference_mode():
            embed = lambda x: tower(torch.from_numpy(x)).numpy()
            np.save(OUT / f"{name}_torch.npy", embed(pixels))
            results = [timed(lambda b: embed(tiled[b]), b, seconds) for b in batches]
    else:
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        embed = lambda x: session.run(None, {"pixel_values": x})[0]
        np.save(OUT / f"{name}_ort.npy", embed(pixels))
        results = [timed(lambda b: embed(tiled[b]), b, seconds) for b in batches]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak_rss_bytes": peak, "results": results}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(MODELS), default="dinov2-b14")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--rounds", type=int, default=3, help="runs of all three, in rotated order")
    parser.add_argument("--worker", choices=["torch", "ort"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.worker:
        return peer_worker(args.model, args.worker, args.threads, batches, args.seconds)
    print(machine.describe())

    seer_bench = ROOT / ".build" / "release" / "seer-bench"
    if not seer_bench.exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    make_model_and_inputs(args.model)
    model_dir, _, pixels_path = paths(args.model)

    env = dict(os.environ, SEER_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    seer_command = [str(seer_bench), "embed", str(model_dir), str(pixels_path), args.batches, str(args.seconds),
                    str(OUT / f"{args.model}_seer.npy")]
    peer_command = lambda peer: [sys.executable, __file__, "--model", args.model, "--worker", peer, "--threads",
                                 str(args.threads), "--seconds", str(args.seconds), "--batches", args.batches]
    # Rounds, each running the three in a rotated order: on a shared or virtual machine the
    # speed drifts over minutes, and the medians over rounds (and of the per-round ratios) are
    # what one runtime can and cannot claim over another.
    runtimes = ["seer", "torch", "ort"]
    rounds = {runtime: [] for runtime in runtimes}
    for r in range(args.rounds):
        for runtime in runtimes[r % 3:] + runtimes[:r % 3]:
            command = seer_command if runtime == "seer" else peer_command(runtime)
            run = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            rounds[runtime].append(json.loads(run.stdout.strip().splitlines()[-1]))
    median = lambda values: sorted(values)[len(values) // 2]
    speed = {key: [[report["results"][i]["images_per_second"] for report in reports] for i in range(len(batches))]
             for key, reports in rounds.items()}

    import numpy as np
    print(f"{MODELS[args.model][0]}, {args.threads} threads, {os.cpu_count()} cores visible, "
          f"median of {args.rounds} round(s)")
    print(f"{'batch':>5}  {'Seer img/s':>10}  {'PyTorch':>8}  {'ORT':>8}  {'Seer/PyTorch':>12}  {'Seer/ORT':>8}  {'Seer/faster':>11}")
    for i, batch in enumerate(batches):
        s, t, o = speed["seer"][i], speed["torch"][i], speed["ort"][i]
        ratio = lambda peers: median([a / b for a, b in zip(s, peers)])
        faster = median([a / max(b, c) for a, b, c in zip(s, t, o)])
        print(f"{batch:>5}  {median(s):>10.2f}  {median(t):>8.2f}  {median(o):>8.2f}  {ratio(t):>11.2f}x  "
              f"{ratio(o):>7.2f}x  {faster:>10.2f}x")
    weights = sum(f.stat().st_size for f in model_dir.glob("model*.safetensors"))
    print("peak RSS: " + ", ".join(f"{label} {max(r['peak_rss_bytes'] for r in rounds[key]) / 2**20:.0f} MiB"
                                   for key, label in [("seer", "Seer"), ("torch", "PyTorch"), ("ort", "ORT")])
          + f"; model safetensors {weights / 2**20:.0f} MiB")
    seer = np.load(OUT / f"{args.model}_seer.npy")
    for key, label in [("torch", "PyTorch"), ("ort", "ORT")]:
        peer = np.load(OUT / f"{args.model}_{key}.npy")
        cosine = (seer * peer).sum(1) / (np.linalg.norm(seer, axis=1) * np.linalg.norm(peer, axis=1))
        print(f"agreement with {label} on 4 photos: min cosine {cosine.min():.7f}, max abs diff {np.abs(seer - peer).max():.2e}")


if __name__ == "__main__":
    main()
