"""Seer's SigLIP tokenizers vs transformers' and their backends, on the same texts, same run.

    swift build -c release --product seer-bench
    python bench/siglip_tokenizer.py

10,000 zero-shot prompts (bench/tokenizer.py's), each encoded as SigLIP's processors do:
padding="max_length", max_length=64, truncation=True.

- SigLIP v1 (Tests/Fixtures/siglip-tokenizer): Seer's SiglipTokenizer against transformers'
  SiglipTokenizer (Python around sentencepiece, the only v1 class) on the batch; and Seer's
  SentencePieceProcessor against the `sentencepiece` library's batch encode (C++, all cores).
- SigLIP 2 (Tests/Fixtures/siglip2-tokenizer): Seer's PretrainedTokenizer against transformers'
  GemmaTokenizer / Siglip2Tokenizer batch call and the Rust `tokenizers` encode_batch (parallel).

Seer runs on one thread; "warm" is the median pass after the first ("cold"). Ids are checked
equal through a checksum. Python peers: best of 5 passes.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tokenizer import best_of, prompts  # noqa: E402

import machine  # bench/machine.py: which CPU these figures come from

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "Tests" / "Fixtures" / "siglip-tokenizer"
V2 = ROOT / "Tests" / "Fixtures" / "siglip2-tokenizer"
MAX_LENGTH = 64


def checksum(batch):
    return sum(i * (k + 1) for ids in batch for k, i in enumerate(ids))


def auto(directory, model_type):
    from transformers import AutoTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        for name in os.listdir(directory):
            if name in ("spiece.model", "tokenizer.json", "tokenizer_config.json"):
                os.symlink(directory / name, Path(tmp) / name)
        (Path(tmp) / "config.json").write_text(json.dumps({"model_type": model_type}))
        return AutoTokenizer.from_pretrained(tmp)


def seer(kind, directory, path):
    bench = ROOT / ".build" / "release" / "seer-bench"
    out = subprocess.run([str(bench), "siglip-tokenizer", kind, str(directory), path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def row(name, peer, seconds, seer_seconds):
    print(f"{name:<58} {peer * 1e3:>9.1f} ms {seer_seconds * 1e3:>9.1f} ms {peer / seer_seconds:>7.1f}x")


def main():
    import sentencepiece
    import tokenizers
    import transformers

    if not (ROOT / ".build" / "release" / "seer-bench").exists():
        sys.exit("build it first: swift build -c release --product seer-bench")
    texts = prompts()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(texts, f)
    print(machine.describe())
    print(f"transformers {transformers.__version__}, "
          f"tokenizers {tokenizers.__version__}, sentencepiece {sentencepiece.__version__}")
    print(f"{len(texts):,} prompts, padded/truncated to {MAX_LENGTH}; Seer on 1 thread (warm; cold in brackets)")
    print(f"{'peer':<58} {'peer':>12} {'Seer':>12} {'ratio':>8}")

    def call(tok):
        return lambda: tok(texts, padding="max_length", max_length=MAX_LENGTH, truncation=True)

    # SigLIP v1
    v1 = auto(V1, "siglip")
    result = seer("siglip", V1, f.name)
    assert result["checksum"] == checksum(call(v1)()["input_ids"]), "SigLIP ids differ"
    row("transformers SiglipTokenizer (sentencepiece), batch call", best_of(call(v1)), None, result["warm_seconds"])
    sp = sentencepiece.SentencePieceProcessor(model_file=str(V1 / "spiece.model"))
    assert result["raw_checksum"] == checksum(sp.encode(texts)), "sentencepiece ids differ"
    row("sentencepiece encode(list) (C++, all cores), raw model", best_of(lambda: sp.encode(texts)), None,
        result["raw_warm_seconds"])
    print(f"  Seer SiglipTokenizer cold pass {result['cold_seconds'] * 1e3:.1f} ms, load {result['load_seconds'] * 1e3:.0f} ms")

    # SigLIP 2 (Gemma vocabulary)
    for kind, model_type in (("gemma", "siglip"), ("siglip2", "siglip2")):
        tok = auto(V2, model_type)
        result = seer(kind, V2, f.name)
        assert result["checksum"] == checksum(call(tok)()["input_ids"]), f"{kind} ids differ"
        row(f"transformers {type(tok).__name__} (Rust tokenizers), batch call", best_of(call(tok)), None,
            result["warm_seconds"])
        backend = tok.backend_tokenizer
        backend.enable_truncation(MAX_LENGTH)
        backend.enable_padding(length=MAX_LENGTH, pad_id=tok.pad_token_id, pad_token=tok.pad_token)
        assert checksum([e.ids for e in backend.encode_batch(texts)]) == result["checksum"]
        row(f"tokenizers Tokenizer.encode_batch ({type(tok).__name__}'s)", best_of(lambda: backend.encode_batch(texts)),
            None, result["warm_seconds"])
        print(f"  Seer {kind} cold pass {result['cold_seconds'] * 1e3:.1f} ms, load {result['load_seconds'] * 1e3:.0f} ms")
    os.unlink(f.name)


if __name__ == "__main__":
    main()
