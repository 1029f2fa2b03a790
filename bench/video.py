"""Video throughput: frames/s end to end (decode + preprocess + embed) with CLIP ViT-B/32 on a
720p file, Seer against a Python peer, same file, same frames, same thread count, with the time
split by stage.

Seer:  `seer scenes --every 1 --timings` (libavcodec decode + swscale to RGB, CLIP preprocessing,
       the image tower), its stage times from the line --timings prints.
Peer:  the ffmpeg CLI decoding to raw RGB24 through a pipe (the usual Python pipeline),
       transformers' CLIPImageProcessor, PyTorch CLIPModel.get_image_features, in batches.

Needs: `swift build -c release --product seer`, ffmpeg (apt), torch + transformers
(scripts/fixtures/requirements.txt), and bench/out/clip-vit-b32-random from bench/clip_vit_b32.py.
"""
import json
import os
import pathlib
import subprocess
import sys
import time

import machine  # bench/machine.py: which CPU these figures come from

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MODEL = OUT / "clip-vit-b32-random"
VIDEO = OUT / "video-720p.mp4"
SEER = os.environ.get("SEER", str(ROOT / ".build" / "release" / "seer"))
THREADS = int(os.environ.get("THREADS", "2"))
BATCH = 16
WIDTH, HEIGHT, SECONDS, FPS = 1280, 720, 10, 30


def make_video():
    if VIDEO.exists():
        return
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration={SECONDS}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "medium", str(VIDEO)], check=True)


def run_seer():
    env = dict(os.environ, SEER_NUM_THREADS=str(THREADS))
    proc = subprocess.run([SEER, "scenes", str(VIDEO), "--model", str(MODEL), "--every", "1", "--batch-size", str(BATCH),
                           "--threads", str(THREADS), "--timings"], capture_output=True, text=True, env=env, check=True)
    line = [l for l in proc.stderr.splitlines() if l.startswith("{")][-1]
    t = json.loads(line)
    return {"frames": t["frames"], "decode": t["decode_s"], "preprocess": t["preprocess_s"], "embed": t["embed_s"], "total": t["total_s"]}


def run_peer():
    import numpy as np
    import torch
    from transformers import CLIPImageProcessor, CLIPModel

    torch.set_num_threads(THREADS)
    model = CLIPModel.from_pretrained(MODEL).eval()
    processor = CLIPImageProcessor.from_pretrained(MODEL)
    from PIL import Image

    stages = {"decode": 0.0, "preprocess": 0.0, "embed": 0.0}
    started = time.perf_counter()
    pipe = subprocess.Popen(["ffmpeg", "-v", "error", "-threads", str(THREADS), "-i", str(VIDEO), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                            stdout=subprocess.PIPE)
    frame_bytes = WIDTH * HEIGHT * 3
    frames = 0
    batch = []

    def flush():
        t = time.perf_counter()
        pixels = processor(images=[Image.fromarray(f) for f in batch], return_tensors="pt")["pixel_values"]
        stages["preprocess"] += time.perf_counter() - t
        t = time.perf_counter()
        with torch.inference_mode():
            model.get_image_features(pixel_values=pixels)
        stages["embed"] += time.perf_counter() - t
        batch.clear()

    while True:
        t = time.perf_counter()
        raw = pipe.stdout.read(frame_bytes)
        stages["decode"] += time.perf_counter() - t
        if len(raw) < frame_bytes:
            break
        batch.append(np.frombuffer(raw, dtype=np.uint8).reshape(HEIGHT, WIDTH, 3))
        frames += 1
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    pipe.wait()
    stages["total"] = time.perf_counter() - started
    stages["frames"] = frames
    return stages


def show(name, r):
    total = r["total"]
    parts = ", ".join(f"{k} {r[k]:.2f} s ({100 * r[k] / total:.0f}%)" for k in ("decode", "preprocess", "embed"))
    print(f"{name:6s} {r['frames']} frames in {total:.2f} s = {r['frames'] / total:.1f} frames/s   [{parts}]")


def main():
    print(machine.describe())
    if not MODEL.exists():
        sys.exit("run bench/clip_vit_b32.py first (it builds bench/out/clip-vit-b32-random)")
    make_video()
    print(f"{VIDEO.name}: {WIDTH}x{HEIGHT}, {SECONDS} s at {FPS} fps (H.264), CLIP ViT-B/32, {THREADS} threads, batch {BATCH}")
    seer = run_seer()
    peer = run_peer()
    show("seer", seer)
    show("peer", peer)
    print(f"seer / peer throughput: {(seer['frames'] / seer['total']) / (peer['frames'] / peer['total']):.2f}x")


if __name__ == "__main__":
    main()
