"""Candidate retrieval: BM25 over Chinese words + character bigrams, chain expansion, optional dense vectors."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from copark.knowledge.graph import LINK_FACTOR as GRAPH_LINK_FACTOR
from copark.knowledge.text import WEAK_TERMS, fold

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_KEEP = re.compile(r"[\u4e00-\u9fffa-z0-9]")
# Words so common in 清单 text that they say nothing about what is offered or needed.
STOPWORDS = frozenset("的 和 与 及 等 各类 各种 相关 一批 需要 需求 提供 可提供 供应 采购 我们 合作 寻求 有 年 约 万元 亿元 元 园区 企业 公司 清单".split())


_WEAK_SPAN = re.compile("|".join(sorted((re.escape(w) for w in WEAK_TERMS), key=len, reverse=True)))
_WEAK_CHARS = frozenset("".join(WEAK_TERMS))


def without_weak_terms(text: str) -> str:
    """The text with its weak terms blanked out: what is left names the thing itself."""
    return _WEAK_SPAN.sub(" ", text)


def may_be_weak(shared: Sequence[str]) -> bool:
    """Cheap test: every shared token touches a character of a weak term (else some real word is shared)."""
    return bool(shared) and all(any(ch in _WEAK_CHARS for ch in token) for token in shared)
# Bigrams are cut at stopwords too, or 园区企业 would still match on 园区/区企/企业.
_STOP_SPAN = re.compile("|".join(sorted((re.escape(w) for w in STOPWORDS if len(w) >= 2), key=len, reverse=True)))


@lru_cache(maxsize=1)
def _word_tokenizer() -> Callable[[str], list[str]]:
    """copark.knowledge.text.tokenize: jieba with copark's domain dictionary (loaded on first use)."""
    from copark.knowledge.text import tokenize

    return tokenize


_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_SEGMENT = re.compile(r"[，,；;。：:]")


@lru_cache(maxsize=200_000)
def phrases(text: str) -> tuple[str, ...]:
    """What a need written as a sentence names; empty for a name or a list (knowledge.text.sentence_phrases)."""
    from copark.knowledge.text import sentence_phrases

    found = sentence_phrases(text)
    return () if found == (fold(text),) else found


@lru_cache(maxsize=200_000)
def core_text(text: str) -> str:
    """The product phrase of an item: 过滤棉（制氧机、雾化器用…） → 过滤棉 (brackets and trailing clauses dropped)."""
    stripped = _BRACKETED.sub("", text or "")
    head = _SEGMENT.split(stripped, maxsplit=1)[0].strip()
    return head or stripped.strip() or (text or "")


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Words (jieba) plus character bigrams of every CJK run; a one-character run stays a unigram."""
    norm = fold(text)
    found = (w.strip().lower() for w in _word_tokenizer()(norm))
    out = [w for w in found if (len(w) >= 2 or w.isascii()) and _KEEP.search(w) and w not in STOPWORDS]
    for run in _CJK_RUN.findall(_STOP_SPAN.sub(" ", norm)):
        if not "\u4e00" <= run[0] <= "\u9fff":
            if run not in out:
                out.append(run)
            continue
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tuple(out)


@lru_cache(maxsize=50_000)
def words(text: str) -> tuple[str, ...]:
    """Meaningful words only (no bigrams): what an explanation shows as matched terms."""
    norm = fold(text)
    return tuple(w for w in (w.strip() for w in _word_tokenizer()(norm)) if len(w) >= 2 and w not in STOPWORDS
                 and _KEEP.search(w))


@lru_cache(maxsize=262_144)  # every offer's head word is asked for by reciprocity keys
def head_word(text: str) -> str:
    """The head noun (医用海绵 → 海绵): knowledge.text.head_noun, else the last word."""
    from copark.knowledge.text import head_noun

    try:
        return fold(head_noun(text)[0])
    except Exception:  # noqa: BLE001 - a knowledge-module bug must not stop matching; fall back
        found = words(text)
        return found[-1] if found else fold(text)


#: BM25 parameters (bm25s' defaults, Lucene variant): term-frequency saturation and length normalization.
BM25_K1, BM25_B = 1.5, 0.75


@dataclass
class LexicalIndex:
    """BM25 over token ids (a token → documents CSC matrix of precomputed scores), plus each document's token
    ids for exact features (CSR layout)."""

    vocab: dict[str, int]
    doc_ptr: np.ndarray  # doc i's tokens are doc_tok[doc_ptr[i]:doc_ptr[i+1]]
    doc_tok: np.ndarray
    idf: np.ndarray  # per token id, for IDF-weighted coverage
    post_ptr: np.ndarray = field(repr=False)  # token t's documents are post_doc[post_ptr[t]:post_ptr[t+1]]
    post_doc: np.ndarray = field(repr=False)
    post_score: np.ndarray = field(repr=False)  # BM25 score of (token, document)

    @classmethod
    def build(cls, texts: Sequence[str], *, workers: int = 1) -> LexicalIndex:
        """Index `texts` (one document each); each distinct text is tokenized once, the rest is vectorized."""
        distinct: dict[str, int] = {}
        inverse = np.fromiter((distinct.setdefault(t, len(distinct)) for t in texts), dtype=np.int64,
                              count=len(texts))
        vocab: dict[str, int] = {}
        u_ids = [[vocab.setdefault(tok, len(vocab)) for tok in toks] or [vocab.setdefault("", len(vocab))]
                 for toks in parallel_map(tokens, list(distinct), workers=workers)]
        u_len = np.fromiter((len(d) for d in u_ids), dtype=np.int64, count=len(u_ids))
        u_tok = np.fromiter((t for d in u_ids for t in d), dtype=np.int64, count=int(u_len.sum()))
        n_vocab = max(len(vocab), 1)
        # Term frequencies per distinct text: unique (text, token) pairs, counted (a word can equal its bigram).
        u_owner = np.repeat(np.arange(len(u_ids), dtype=np.int64), u_len)
        pairs, tf = np.unique(u_owner * n_vocab + u_tok, return_counts=True)
        pair_text, pair_tok = pairs // n_vocab, pairs % n_vocab
        pair_len = np.bincount(pair_text, minlength=len(u_ids))
        doc_ptr, doc_tok = _expand(inverse, u_len, u_tok)
        post_ptr_doc, pair_idx = _expand(inverse, pair_len, np.arange(len(pairs), dtype=np.int64))
        tok_of, tf_of = pair_tok[pair_idx], tf[pair_idx].astype(np.float64)
        doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(post_ptr_doc))
        n = max(len(texts), 1)
        df = np.bincount(tok_of, minlength=n_vocab)  # pairs are unique per document
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        lengths = np.diff(doc_ptr).astype(np.float64)
        avg_len = float(lengths.mean()) if len(lengths) else 1.0
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / avg_len)
        score = idf[tok_of] * tf_of / (tf_of + norm[doc_of])  # bm25s' Lucene form: no (k1 + 1) factor
        order = np.argsort(tok_of, kind="stable")  # postings by token, documents ascending within a token
        post_ptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(np.bincount(tok_of, minlength=n_vocab), out=post_ptr[1:])
        return cls(vocab=vocab, doc_ptr=doc_ptr, doc_tok=doc_tok.astype(np.int32), idf=idf.astype(np.float32),
                   post_ptr=post_ptr, post_doc=doc_of[order].astype(np.int32),
                   post_score=score[order].astype(np.float32))

    def __len__(self) -> int:
        return len(self.doc_ptr) - 1

    def query_ids(self, text: str) -> list[int]:
        """Known token ids of `text` (unknown tokens cannot match anything in the index)."""
        return list(dict.fromkeys(self.vocab[tok] for tok in tokens(text) if tok in self.vocab))

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every document for `text` (zeros when nothing matches)."""
        ids = self.query_ids(text)
        if not ids or len(self) == 0:
            return np.zeros(len(self))
        spans = [slice(self.post_ptr[i], self.post_ptr[i + 1]) for i in ids]
        docs = np.concatenate([self.post_doc[s] for s in spans])
        weights = np.concatenate([self.post_score[s] for s in spans])
        return np.bincount(docs, weights=weights, minlength=len(self))  # float64: a cast costs a pass

    def sparse_scores(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents with a positive BM25 for `text`, ascending; their scores): scores(text) without its zeros.

        Every posting's score is positive, so these are exactly the documents a query token occurs in. A rare
        query touches a few thousand of a million documents: its postings are sorted instead of a pass over all
        documents. The sums are added in the same order as scores(), so the values are identical.
        """
        ids = self.query_ids(text)
        if not ids or len(self) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        spans = [slice(self.post_ptr[i], self.post_ptr[i + 1]) for i in ids]
        docs = np.concatenate([self.post_doc[s] for s in spans])
        weights = np.concatenate([self.post_score[s] for s in spans])
        if len(docs) * SPARSE_QUERY_SHARE < len(self):
            touched, inverse = np.unique(docs, return_inverse=True)
            return touched.astype(np.int64), np.bincount(inverse, weights=weights)
        dense = np.bincount(docs, weights=weights, minlength=len(self))
        touched = np.flatnonzero(dense > 0)  # positive is touched; a boolean scan is 3× faster than a float one
        return touched, dense[touched]

    def scores_between(self, text: str, start: int, stop: int) -> np.ndarray:
        """BM25 of documents start…stop only (the same values as scores(text)[start:stop], without a pass over
        every document)."""
        return self.scores_in(text, np.array([start]), np.array([stop]))[0]

    def scores_in(self, text: str, starts: np.ndarray, stops: np.ndarray) -> list[np.ndarray]:
        """BM25 of the documents of each range starts[r]…stops[r] (one array per range, as scores(text) sliced):
        postings are sorted by document, so each token's part in every range is found by one bisection."""
        starts, stops = np.asarray(starts, dtype=np.int64), np.asarray(stops, dtype=np.int64)
        if not len(starts):
            return []
        lengths = np.maximum(stops - starts, 0)
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        out = np.zeros(int(offsets[-1]))
        for i in self.query_ids(text):
            first = self.post_ptr[i]
            docs = self.post_doc[first:self.post_ptr[i + 1]]
            lo, hi = np.searchsorted(docs, starts), np.searchsorted(docs, stops)
            counts = np.maximum(hi - lo, 0)
            total = int(counts.sum())
            if not total:
                continue
            ranges = np.repeat(np.arange(len(starts)), counts)
            at = lo[ranges] + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            out[offsets[ranges] + docs[at] - starts[ranges]] += self.post_score[first + at]
        return np.split(out, offsets[1:-1])

    def doc_token_ids(self, doc: int) -> np.ndarray:
        return self.doc_tok[self.doc_ptr[doc] : self.doc_ptr[doc + 1]]

    def need_weights(self, need_text: str) -> tuple[list[tuple[str, int | None, float]], float]:
        """The need's unique tokens with their id and IDF weight (unknown tokens weigh the most), and the total."""
        cache = self.__dict__.setdefault("_weights", {})
        if need_text not in cache:
            max_idf = float(self.idf.max()) if len(self.idf) else 1.0
            rows = []
            for tok in dict.fromkeys(tokens(need_text)):
                tid = self.vocab.get(tok)
                rows.append((tok, tid, float(self.idf[tid]) if tid is not None else max_idf))
            if len(cache) > 100_000:  # bounded: a batch of distinct needs must not grow memory forever
                cache.clear()
            cache[need_text] = (rows, sum(w for _, _, w in rows))
        return cache[need_text]

    def coverage(self, need_text: str, doc: int) -> tuple[float, list[str]]:
        """IDF-weighted share of the need's tokens found in document `doc`, with the shared tokens."""
        rows, total = self.need_weights(need_text)
        if not total:
            return 0.0, []
        doc_ids = set(self.doc_tok[self.doc_ptr[doc] : self.doc_ptr[doc + 1]].tolist())
        hit = 0.0
        shared = []
        for tok, tid, weight in rows:
            if tid is not None and tid in doc_ids:
                hit += weight
                shared.append(tok)
        return hit / total, shared


def _expand(inverse: np.ndarray, lengths: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows of distinct items (`lengths`, flat `values`) repeated per occurrence (`inverse`): (ptr, values)."""
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    row_len = lengths[inverse]
    ptr = np.zeros(len(inverse) + 1, dtype=np.int64)
    np.cumsum(row_len, out=ptr[1:])
    # position of each output value in `values`: its row's start there plus its offset inside the row
    gather = np.repeat(starts[:-1][inverse] - ptr[:-1], row_len) + np.arange(int(ptr[-1]), dtype=np.int64)
    return ptr, values[gather]


#: A query whose postings number less than 1/16 of the documents is summed by sorting its postings (sparse).
SPARSE_QUERY_SHARE = 16

#: Below this many texts a process pool costs more (fork, pickling) than it saves.
PARALLEL_MIN = 20_000
_MAP_FN: Callable[[str], Any] | None = None


def _map_chunk(chunk: list[str]) -> list[Any]:
    assert _MAP_FN is not None  # set by parallel_map before forking
    return [_MAP_FN(text) for text in chunk]


def parallel_map(fn: Callable[[str], Any], texts: list[str], *, workers: int = 1) -> list[Any]:
    """[fn(t) for t in texts], spread over `workers` forked processes for large inputs (fn must be warm)."""
    global _MAP_FN
    import multiprocessing as mp

    if workers <= 1 or len(texts) < PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        return [fn(text) for text in texts]
    from concurrent.futures import ProcessPoolExecutor

    if texts:
        fn(texts[0])  # load lazy dictionaries (jieba, lexicon) once, before forking, so children share them
    size = max(1_000, len(texts) // (workers * 8))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    _MAP_FN = fn
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            return [out for part in pool.map(_map_chunk, chunks) for out in part]
    finally:
        _MAP_FN = None


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k best positive scores (allowed by mask), best first."""
    # Work on the few positive scores only: a partition over a million zeros is most of a query's time.
    positive = np.flatnonzero(scores > 0)
    if mask is not None:
        positive = positive[mask[positive]]
    k = min(k, len(positive))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    values = scores[positive]
    part = np.argpartition(-values, k - 1)[:k] if k < len(values) else np.arange(len(values))
    return positive[part[np.argsort(-values[part], kind="stable")]]


class ChainExpander:
    """Chain expansion over copark.knowledge.graph: maps texts to graph nodes and relates nodes, cached.

    Each offer is tagged with its best-matching node at index time; a need's nodes are then related to
    the nodes present in the index by walking the graph two steps (same, subcategory, parent, sibling;
    ChainGraph.relation when the graph cannot walk), once per need node, so a need for 过滤材料 also
    reaches offers of 熔喷布. Upstream inputs and downstream products of the need are never links: an offer
    of 电力 or of 护理垫 does not answer a need for 纸箱 (that would be forced pairing, 拉郎配).
    """

    #: How good a NodeMatch must be to tag a text with a node (NodeMatch.score is 0–1).
    MIN_NODE_SCORE = 0.6

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self._nodes: dict[str, tuple[str, ...]] = {}
        self._links: dict[tuple[str, str], Any] = {}
        self._related: dict[str, dict[str, Any]] = {}

    def nodes(self, text: str, limit: int = 2) -> tuple[str, ...]:
        """Graph nodes `text` names (best first), empty when none is close enough."""
        key = fold(text)
        if key not in self._nodes:
            # a sentence (主板上的有源晶振，想找…的厂) is matched by the phrases it names, not as a whole
            found = [m for part in (phrases(text) or (text,)) for m in self._match(part, limit)]
            found.sort(key=lambda m: -m.score)  # stable: earlier phrases first among equals
            self._nodes[key] = tuple(dict.fromkeys(m.name for m in found if m.score >= self.MIN_NODE_SCORE))[:limit]
        return self._nodes[key]

    def _match(self, text: str, limit: int) -> list[Any]:
        try:  # fuzzy node matching is slow and weak: the lexical index already covers near-spellings
            return list(self.graph.match_nodes(text, limit=limit, fuzzy=False))
        except TypeError:
            return list(self.graph.match_nodes(text, limit=limit))
        except Exception:  # noqa: BLE001 - graph bugs degrade to lexical matching, never crash a run
            return []

    def tag(self, texts: Sequence[str], *, workers: int = 1) -> None:
        """Find the nodes of many texts at once (each distinct text once, over `workers` processes)."""
        todo: dict[str, str] = {}  # key → the first text with it, as nodes() would have seen it
        for text in texts:
            key = fold(text)
            if key not in self._nodes and key not in todo:
                todo[key] = text
        if not todo:
            return
        firsts = list(todo.values())
        self.nodes(firsts[0])  # warm the graph's lazy lookups before any fork
        for key, found in zip(todo, parallel_map(self.nodes, firsts, workers=workers), strict=True):
            self._nodes[key] = found

    def link(self, need_node: str, offer_node: str) -> Any:
        """ChainGraph.relation between two node names (None when unrelated), cached."""
        key = (need_node, offer_node)
        if key not in self._links:
            try:
                link = self.graph.relation(need_node, offer_node, max_depth=2)
            except Exception:  # noqa: BLE001 - see nodes()
                link = None
            self._links[key] = link if link is not None and getattr(link, "kind", "") in ANSWERS else None
        return self._links[key]

    def walked_links(self, node: str, depth: int = 2) -> dict[str, Any] | None:
        """Node → best link from `node`, built from the graph's own walks (sub/parent categories, inputs,
        outputs, siblings) in one pass; None when the graph cannot walk (then relation() is used)."""
        walks = {kind: getattr(self.graph, name, None) for kind, name in
                 (("subcategory", "subcategories"), ("parent", "parents"))}
        if any(w is None for w in walks.values()):
            return None
        found: dict[str, Any] = {node: WalkLink("same", [node], 0, 1.0)}

        def keep(name: str, link: WalkLink) -> None:
            if name not in found or found[name].confidence < link.confidence:
                found[name] = link

        try:
            for kind, walk in walks.items():
                for step in walk(node, depth):
                    keep(step.name, WalkLink(kind, list(step.path), len(step.path) - 1,
                                             step.confidence * LINK_FACTOR[kind]))
            for parent in self.graph.parents(node, 1):
                siblings = self.graph.subcategories(parent.name, 1)
                # a parent with hundreds of children (系统, 制品) says little about its children being alike
                spread = min(1.0, 10 / max(len(siblings), 1))
                for sib in siblings:
                    if sib.name != node:
                        keep(sib.name, WalkLink("sibling", [node, parent.name, sib.name], 2,
                                                parent.confidence * sib.confidence * spread * LINK_FACTOR["sibling"]))
        except Exception:  # noqa: BLE001 - see nodes()
            return {}
        return found

    def related(self, need_node: str, offer_nodes: Collection[str]) -> dict[str, Any]:
        """Offer nodes related to `need_node` → their link (cached per need node)."""
        if need_node not in self._related:
            walked = self.walked_links(need_node)
            if walked is not None:
                found = {n: link for n, link in walked.items() if n in offer_nodes}
            else:
                found = {n: link for n in offer_nodes if (link := self.link(need_node, n)) is not None}
            self._related[need_node] = found
        return self._related[need_node]

    def best_link(self, need_text: str, offer_node: str | None, offer_nodes: Collection[str] = ()) -> Any:
        """The strongest link between any node of the need and the offer's node."""
        if offer_node is None:
            return None
        best = None
        for node in self.nodes(need_text):
            link = self.related(node, offer_nodes or (offer_node,)).get(offer_node) if offer_nodes else \
                self.link(node, offer_node)
            if link is not None and (best is None or _link_strength(link) > _link_strength(best)):
                best = link
        return best


#: Link kinds by which an offer can answer a need; ChainGraph.relation also reports upstream and downstream.
ANSWERS = frozenset({"same", "subcategory", "parent", "sibling"})
#: Worth of each answering link kind, the graph's own table: an offer of the same thing answers a need best.
LINK_FACTOR = {kind: factor for kind, factor in GRAPH_LINK_FACTOR.items() if kind in ANSWERS}


@dataclass(frozen=True)
class WalkLink:
    """A chain link found by walking the graph (same fields as knowledge.graph.ChainLink)."""

    kind: str
    path: list[str]
    distance: int
    confidence: float


def _link_strength(link: Any) -> float:
    # ChainGraph.relation's confidence already folds in the path's edge confidences and the kind
    # (same 1.0 > subcategory 0.9 > parent > sibling > upstream > downstream).
    return max(0.0, min(1.0, float(getattr(link, "confidence", 0.0) or 0.0)))


def link_strength(link: Any) -> float:
    """0–1: how directly a ChainLink makes the offer answer the need."""
    return 0.0 if link is None else _link_strength(link)
