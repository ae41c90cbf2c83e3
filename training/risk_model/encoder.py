"""all-MiniLM-L6-v2 in PyTorch, split where fine-tuning starts.

The same arithmetic as the assistant's encoder (attune/nlu/sentence_encoder.py: its NumPy
forward, and the ONNX graph ONNX Runtime runs), with the same weight names, so what is trained
here is exported as plain tensors and run there without PyTorch. The lower layers stay as
published (their outputs are computed once per example and cached); the upper layers and the
heads are trained.
"""

from __future__ import annotations

import math
from typing import Dict, List

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    """One BERT layer (post-norm), as in the published model."""

    def __init__(self, hidden: int = 384, heads: int = 12, inner: int = 1536, dropout: float = 0.1):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, inner)
        self.output = nn.Linear(inner, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, size).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(size) + bias
        context = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.dropout(self.attention_out(context)))
        return self.output_norm(x + self.dropout(self.output(F.gelu(self.intermediate(x)))))

    _NAMES = {
        "query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
        "attention_out": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
        "intermediate": "intermediate.dense", "output": "output.dense", "output_norm": "output.LayerNorm",
    }

    def load(self, weights: Dict[str, np.ndarray], index: int) -> None:
        for mine, theirs in self._NAMES.items():
            module = getattr(self, mine)
            prefix = f"encoder.layer.{index}.{theirs}"
            module.weight.data = torch.from_numpy(weights[f"{prefix}.weight"].astype(np.float32).copy())
            module.bias.data = torch.from_numpy(weights[f"{prefix}.bias"].astype(np.float32).copy())

    def export(self, index: int) -> Dict[str, np.ndarray]:
        out = {}
        for mine, theirs in self._NAMES.items():
            module = getattr(self, mine)
            out[f"encoder.layer.{index}.{theirs}.weight"] = module.weight.detach().numpy().copy()
            out[f"encoder.layer.{index}.{theirs}.bias"] = module.bias.detach().numpy().copy()
        return out


class Embeddings(nn.Module):
    def __init__(self, weights: Dict[str, np.ndarray]):
        super().__init__()
        w = {k: torch.from_numpy(v.astype(np.float32).copy()) for k, v in weights.items()
             if k.startswith("embeddings.") and v.dtype != np.int64}
        self.words = nn.Embedding.from_pretrained(w["embeddings.word_embeddings.weight"])
        self.positions = nn.Embedding.from_pretrained(w["embeddings.position_embeddings.weight"])
        self.segment = nn.Parameter(w["embeddings.token_type_embeddings.weight"][0], requires_grad=False)
        self.norm = nn.LayerNorm(self.segment.shape[0], eps=1e-12)
        self.norm.weight.data, self.norm.bias.data = w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.norm(self.words(ids) + self.positions(positions) + self.segment)


def attention_bias(mask: torch.Tensor) -> torch.Tensor:
    return torch.where(mask[:, None, None, :], 0.0, -1e9)


class Lower(nn.Module):
    """The frozen part: embeddings and the first `count` layers."""

    def __init__(self, weights: Dict[str, np.ndarray], count: int):
        super().__init__()
        self.embeddings = Embeddings(weights)
        self.layers = nn.ModuleList(Layer(dropout=0.0) for _ in range(count))
        for index, layer in enumerate(self.layers):
            layer.load(weights, index)
        self.eval()
        for parameter in self.parameters():
            parameter.requires_grad = False

    @torch.no_grad()
    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(ids)
        bias = attention_bias(mask)
        for layer in self.layers:
            x = layer(x, bias)
        return x


# The heads read the unit-length sentence vector; its coordinates are small (about 0.05), so
# they are scaled while training. The export folds the scale into the weights, and the
# assistant applies the head to the unit vector directly.
HEAD_SCALE = 10.0


class Upper(nn.Module):
    """The trained part: the remaining layers, mean pooling, the risk and intent heads."""

    def __init__(self, weights: Dict[str, np.ndarray], first: int, total: int, outputs: int, intents: int,
                 dropout: float = 0.1):
        super().__init__()
        self.first = first
        self.layers = nn.ModuleList(Layer(dropout=dropout) for _ in range(first, total))
        for offset, layer in enumerate(self.layers):
            layer.load(weights, first + offset)
        self.dropout = nn.Dropout(dropout)
        self.risk_head = nn.Linear(384, outputs)
        self.intent_head = nn.Linear(384, intents)

    def forward(self, x: torch.Tensor, mask: torch.Tensor):
        bias = attention_bias(mask)
        for layer in self.layers:
            x = layer(x, bias)
        weights = mask.unsqueeze(-1).float()
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        unit = F.normalize(pooled, dim=-1)
        features = self.dropout(unit * HEAD_SCALE)
        return self.risk_head(features), self.intent_head(features), unit

    def export(self) -> Dict[str, np.ndarray]:
        out: Dict[str, np.ndarray] = {}
        for offset, layer in enumerate(self.layers):
            out.update(layer.export(self.first + offset))
        out["risk_head.weight"] = self.risk_head.weight.detach().numpy().copy() * HEAD_SCALE
        out["risk_head.bias"] = self.risk_head.bias.detach().numpy().copy()
        return out


def pad(sequences: List[List[int]]):
    length = max(len(s) for s in sequences)
    ids = torch.zeros((len(sequences), length), dtype=torch.long)
    mask = torch.zeros((len(sequences), length), dtype=torch.bool)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = True
    return ids, mask
