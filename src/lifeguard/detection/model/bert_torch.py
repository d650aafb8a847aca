"""A BertModel in PyTorch, for fine-tuning only (``second_stage_zh_train``); inference runs in numpy
(``minilm.MiniLMEncoder``, same weights, same names, same forward pass).

Needs ``torch`` (``pip install torch``; see docs/model.md), never imported by the service. The parameter names
are Hugging Face's (``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``...),
so a fine-tuned state dict is written out as it is and read back by the numpy encoder. Without the
``transformers`` package: the few lines of a BERT encoder are written out here, with the dropout of training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional


def _layer(hidden: int, inner: int, eps: float) -> dict[str, nn.Module]:
    """One encoder layer's modules by their names inside the layer (created in Hugging Face's order)."""
    return {
        "attention.self.query": nn.Linear(hidden, hidden),
        "attention.self.key": nn.Linear(hidden, hidden),
        "attention.self.value": nn.Linear(hidden, hidden),
        "attention.output.dense": nn.Linear(hidden, hidden),
        "attention.output.LayerNorm": nn.LayerNorm(hidden, eps=eps),
        "intermediate.dense": nn.Linear(hidden, inner),
        "output.dense": nn.Linear(inner, hidden),
        "output.LayerNorm": nn.LayerNorm(hidden, eps=eps),
    }


def _nested(names: dict[str, nn.Module]) -> nn.ModuleDict:
    """A tree of ModuleDicts whose state-dict keys are the dotted ``names``."""
    root = nn.ModuleDict()
    for dotted, module in names.items():
        node = root
        *parents, leaf = dotted.split(".")
        for part in parents:
            if part not in node:
                node[part] = nn.ModuleDict()
            node = node[part]  # type: ignore[assignment]
        node[leaf] = module
    return root


class TorchBert(nn.Module):
    """Last hidden states of a BERT encoder (no pooler), with Hugging Face's parameter names."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = int(config["hidden_size"])
        inner = int(config["intermediate_size"])
        eps = float(config.get("layer_norm_eps", 1e-12))
        self.heads = int(config["num_attention_heads"])
        self.layer_count = int(config["num_hidden_layers"])
        self.dropout = float(config.get("hidden_dropout_prob", 0.1))
        self.attention_dropout = float(config.get("attention_probs_dropout_prob", 0.1))
        modules: dict[str, nn.Module] = {
            "embeddings.word_embeddings": nn.Embedding(int(config["vocab_size"]), hidden),
            "embeddings.position_embeddings": nn.Embedding(int(config["max_position_embeddings"]), hidden),
            "embeddings.token_type_embeddings": nn.Embedding(int(config.get("type_vocab_size", 2)), hidden),
            "embeddings.LayerNorm": nn.LayerNorm(hidden, eps=eps),
        }
        for i in range(self.layer_count):
            modules |= {f"encoder.layer.{i}.{name}": m for name, m in _layer(hidden, inner, eps).items()}
        self.modules_by_name = modules
        self.tree = _nested(modules)

    def named_weights(self) -> dict[str, torch.Tensor]:
        """Parameters by their Hugging Face names (``embeddings.word_embeddings.weight``...)."""
        return {key.removeprefix("tree."): value for key, value in self.state_dict().items()}

    def load_weights(self, weights: dict[str, Any]) -> None:
        """Loads a BertModel state dict (with or without a ``bert.`` prefix; pooler and heads are ignored).
        Raises KeyError naming the first missing parameter, ValueError on a shape mismatch."""
        anchor = "embeddings.word_embeddings.weight"
        prefix = next((k for k in weights if k.endswith(anchor)), anchor)[: -len(anchor)]
        state = {}
        for name, current in self.named_weights().items():
            key = prefix + name
            if key not in weights:
                raise KeyError(f"the base weights have no {key!r}")
            value = torch.from_numpy(np.array(weights[key], dtype=np.float32))  # a writable copy
            if tuple(value.shape) != tuple(current.shape):
                raise ValueError(f"{key}: shape {tuple(value.shape)}, the config needs {tuple(current.shape)}")
            state["tree." + name] = value
        self.load_state_dict(state)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = self.modules_by_name
        batch, seq = ids.shape
        positions = torch.arange(seq, device=ids.device)
        x = m["embeddings.word_embeddings"](ids) + m["embeddings.position_embeddings"](positions)[None]
        x = x + m["embeddings.token_type_embeddings"].weight[0]
        x = functional.dropout(m["embeddings.LayerNorm"](x), self.dropout, self.training)
        hidden = x.shape[-1]
        size = hidden // self.heads
        bias = ((1.0 - mask[:, None, None, :].float()) * -1e9).to(x.dtype)
        for i in range(self.layer_count):
            p = f"encoder.layer.{i}."

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(batch, seq, self.heads, size).transpose(1, 2)

            q = split(m[p + "attention.self.query"](x))
            k = split(m[p + "attention.self.key"](x))
            v = split(m[p + "attention.self.value"](x))
            scores = q @ k.transpose(-1, -2) / float(np.sqrt(size)) + bias
            weights = functional.dropout(torch.softmax(scores, -1), self.attention_dropout, self.training)
            context = (weights @ v).transpose(1, 2).reshape(batch, seq, hidden)
            attended = functional.dropout(m[p + "attention.output.dense"](context), self.dropout, self.training)
            x = m[p + "attention.output.LayerNorm"](attended + x)
            inner = functional.gelu(m[p + "intermediate.dense"](x))
            out = functional.dropout(m[p + "output.dense"](inner), self.dropout, self.training)
            x = m[p + "output.LayerNorm"](out + x)
        return x


def mean_pool(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.to(states.dtype)[:, :, None]
    return (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
