"""Seer's CLIPTokenizer vs transformers' (Rust `tokenizers`) on the same texts, same run.

    swift build -c release --product seer-bench
    python bench/tokenizer.py

Two workloads: 10,000 zero-shot prompts ("a photo of a {label}." over varied labels) and the
2,135 mixed-Unicode strings of the tokenizer fixtures. Python is timed on its batch call
(parallel Rust) and one call per string; Seer on one thread, with a cold and a warm word cache.
Both sides produce ids with BOS/EOS and 77-token truncation, and the ids are checked equal.
"""

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine  # bench/machine.py: which CPU these figures come from

ROOT = Path(__file__).resolve().parents[1]
VOCAB = ROOT / "Tests" / "Fixtures" / "clip-vocab"
CASES = ROOT / "Tests" / "Fixtures" / "tokenizer" / "clip_cases.json"

LABELS = ("cat dog airplane forklift traffic light crosswalk at night golden retriever espresso "
          "mountain bike hot-air balloon street sign 1970s sedan snowy owl red fox shopping cart").split()
TEMPLATES = ["a photo of a {}.", "a blurry photo of the {}.", "a close-up photo of a {}.", "a {} in the wild.",
             "an image showing {} and more", "A PHOTO OF A {}!", "itap of my {}", "a drawing of a {}."]


def prompts():
    rng = random.Random(7)
    return [rng.choice(TEMPLATES).format(" ".join(rng.sample(LABELS, rng.randint(1, 3)))) for _ in range(10000)]


def best_of(fn, repeats=5):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    print(machine.describe())
    from transformers import CLIPTokenizer

    seer_bench = ROOT / ".build" / "release" / "seer-bench"
    if not seer_bench.exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    tok = CLIPTokenizer.from_pretrained(VOCAB)
    workloads = [("10,000 prompts", prompts()),
                 ("2,135 mixed-Unicode fixture strings", [c["text"] for c in json.load(open(CASES))["cases"]])]
    print(f"{'workload':<38} {'Python batch':>13} {'Python 1-by-1':>14} {'Seer warm':>10} {'Seer cold':>10} {'Seer/batch':>11}")
    for name, texts in workloads:
        batch = best_of(lambda: tok(texts, truncation=True, max_length=77))
        single = best_of(lambda: [tok(t, truncation=True, max_length=77) for t in texts], repeats=2)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(texts, f)
        seer = json.loads(subprocess.run([str(seer_bench), "tokenizer", str(VOCAB), f.name],
                                         check=True, capture_output=True, text=True).stdout)
        tokens = sum(len(ids) for ids in tok(texts, truncation=True, max_length=77)["input_ids"])
        assert seer["tokens"] == tokens, f"token counts differ: Seer {seer['tokens']}, Python {tokens}"
        print(f"{name:<38} {batch * 1e3:>10.1f} ms {single * 1e3:>11.1f} ms {seer['warm_seconds'] * 1e3:>7.1f} ms "
              f"{seer['cold_seconds'] * 1e3:>7.1f} ms {batch / seer['warm_seconds']:>10.1f}x")
    print(f"({tokens} tokens in the last workload; Seer loads vocab.json + merges.txt in {seer['load_seconds'] * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()
