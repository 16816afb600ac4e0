"""Organisation-level signals for "which organization makes this?": each scores organizations for a need.

They read an organization's whole offer list at once (TF-IDF of the list, its best single offer, its industry's
products, its name), which item-level BM25 cannot: a firm listing 齿轮箱、变速器 is a likely maker of 汽车齿轮.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from copark.knowledge.text import fold
from copark.matching.encoders import Encoder

# Product sims are dense (char unigrams overlap almost everywhere): score queries in blocks to bound memory.

TOP_PRODUCTS = 30  # similar products that vote for industries and co-listed organizations
SCOPES_KEPT = 4  # organization subsets whose broad matrices are kept (one per region and rule in practice)


@dataclass(frozen=True)
class OrgProfile:
    """An organization as the ranker sees it: identity, industry and product list (best-selling first)."""

    org_id: str
    name: str
    region: str = ""
    industry: str = ""
    products: tuple[str, ...] = ()
    description: str = ""


def bigrams(text: str) -> list[str]:
    """Distinct character bigrams inside each word (a one-character word stands for itself)."""
    grams = {word if len(word) == 1 else word[i:i + 2] for word in text.split() for i in range(max(len(word) - 1, 1))}
    return sorted(grams)


def head(text: str) -> str:
    """The last two characters of the last word: in Chinese product names, mostly the kind of thing (…齿轮, …药)."""
    words = text.split()
    return words[-1][-2:] if words else ""


def _transposed(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """rows × n-grams → n-grams × rows, as CSR (what a query row is multiplied by)."""
    return sparse.csr_matrix(matrix.T, dtype=np.float32)


def make_vectorizer() -> TfidfVectorizer:
    """Character 1–3-grams within word boundaries, sublinear tf: robust to Chinese without segmentation."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1, dtype=np.float32)


@dataclass(frozen=True)
class Queries:
    """A block of needs as the organisation-level signals read them (prepared once per block)."""

    raw: list[str]                  # whitespace-normalized (the encoder sees case)
    clean: list[str]                # lower-cased
    tfidf: sparse.csr_matrix        # needs × n-grams


@dataclass
class OrgIndex:
    """Read-only index over organizations: doc vectors, product vectors, industries, names.

    Broad signals (doc, sector, name) are computed for every organization: they are cheap (one sparse product
    with an n-grams × organizations matrix) and they nominate the candidates. Narrow signals (maxsim, industry,
    dense, cover, head, size …) read each candidate's product rows, so a need costs O(candidates' products), not
    O(all products): what keeps a million offers fast.
    """

    orgs: list[OrgProfile]
    vectorizer: TfidfVectorizer
    # Broad matrices are stored transposed (n-grams × organizations, CSR): a query row times one of them is
    # CSR @ CSR, which scipy multiplies without converting the whole index per call.
    docs: sparse.csr_matrix                      # n-grams × organizations, columns l2-normalized
    products: sparse.csr_matrix                  # product rows × n-grams (rows grouped by organization)
    product_org: np.ndarray                      # product row → organization index
    row_start: np.ndarray                        # organization → its first product row
    row_stop: np.ndarray                         # organization → one past its last product row
    industry_of: np.ndarray                      # organization → industry index (-1 unknown)
    industries: list[str]
    size: np.ndarray                             # log(1 + #products)
    encoder: Encoder | None = None
    product_vectors: np.ndarray | None = None   # product rows × dims, unit length (dense signal)
    name_vectorizer: TfidfVectorizer | None = None
    names: sparse.csr_matrix | None = None       # name n-grams × organizations
    bigram_vectorizer: CountVectorizer | None = None
    presence: sparse.csr_matrix | None = None    # organizations × bigrams of products + industry, 0/1
    bigram_df: np.ndarray | None = None          # how many organizations use each bigram
    sectors: sparse.csr_matrix | None = None     # n-grams × industries: all products of an industry's organizations

    @classmethod
    def build(cls, orgs: Sequence[OrgProfile], *, encoder: Encoder | None = None) -> OrgIndex:
        """Fit the vectorizer on the product names and index every organization."""
        orgs = list(orgs)
        # The industry (its GB/T name, or 行业 as written) joins the product list: it often shares characters with
        # needs the list lacks. The description does not: 企业简介 and 经营范围 boilerplate (依法须经批准…, 销售)
        # drowned the products on the judged set.
        texts = [fold(" ".join([*o.products, o.industry]) or o.name) for o in orgs]
        vectorizer = make_vectorizer()
        vectorizer.fit([text for text in texts if text] or ["-"])
        docs = _transposed(vectorizer.transform(texts))
        rows, owners, originals = [], [], []
        for index, org in enumerate(orgs):
            for product in org.products:
                if product.strip():
                    rows.append(fold(product))
                    originals.append(" ".join(product.split()))  # the encoder sees case: XLM-R is cased
                    owners.append(index)
        product_org = np.asarray(owners, dtype=np.int64)
        products = (vectorizer.transform(rows).tocsr() if rows else
                    sparse.csr_matrix((0, docs.shape[0]), dtype=np.float32))
        row_start = np.searchsorted(product_org, np.arange(len(orgs)), side="left")
        row_stop = np.searchsorted(product_org, np.arange(len(orgs)), side="right")
        industries = sorted({o.industry for o in orgs if o.industry})
        position = {name: i for i, name in enumerate(industries)}
        industry_of = np.asarray([position.get(o.industry, -1) for o in orgs], dtype=np.int64)
        size = np.log1p(np.asarray([len(o.products) for o in orgs], dtype=np.float32))
        index = cls(orgs, vectorizer, docs, products, product_org, row_start, row_stop, industry_of, industries,
                    size)
        index._add_surface(texts)
        by_industry = [[] for _ in industries]
        for org, number in zip(orgs, industry_of, strict=True):
            if number >= 0:
                by_industry[number].extend(org.products)
        if by_industry:
            index.sectors = _transposed(vectorizer.transform([fold(" ".join(p)) for p in by_industry]))
        if encoder is not None:
            index.encoder = encoder
            index.product_vectors = encoder.encode(originals)
        return index

    def _add_surface(self, texts: list[str]) -> None:
        """Name n-grams and bigram presence: what the name, coverage and head signals read."""
        names = [fold(o.name) for o in self.orgs]
        self.name_vectorizer = make_vectorizer().fit([n for n in names if n] or ["-"])
        self.names = _transposed(self.name_vectorizer.transform(names))
        self.bigram_vectorizer = CountVectorizer(analyzer=bigrams, binary=True, dtype=np.float32)
        self.bigram_vectorizer.fit([text for text in texts if text] or ["-"])
        self.presence = self.bigram_vectorizer.transform(texts).tocsr()
        self.bigram_df = np.asarray(self.presence.sum(axis=0), dtype=np.float32).ravel()

    # -- queries -----------------------------------------------------------------------------------

    def queries(self, texts: Sequence[str]) -> Queries:
        raw = [" ".join(text.split()) for text in texts]
        clean = [fold(text) for text in raw]
        return Queries(raw, clean, self.vectorizer.transform(clean).tocsr())

    def broad(self, q: Queries, *, enabled: frozenset[str], scope: np.ndarray | None = None,
              ) -> dict[str, np.ndarray]:
        """Signals computed for every organization, or for the organizations `scope` (ascending indexes: those a
        region rule lets the needs meet), as needs × organizations float32: doc, sector, name."""
        docs, names, industry_of = self._scoped(scope)
        out = {"doc": (q.tfidf @ docs).toarray().astype(np.float32, copy=False)}
        if "industry" in enabled:
            out["sector"] = self._sector(q.tfidf, industry_of)
        if "surface" in enabled:
            assert self.name_vectorizer is not None
            out["name"] = (self.name_vectorizer.transform(q.clean) @ names).toarray().astype(np.float32, copy=False)
        return out

    def _scoped(self, scope: np.ndarray | None) -> tuple[sparse.csr_matrix, sparse.csr_matrix, np.ndarray]:
        """(doc, name matrices, industry per organization) of the organizations `scope` (all when None).

        A region rule lets a need meet a fifth of the organizations: products with matrices of those columns
        cost a fifth. Kept for the last few scopes (one per region and rule; a batch asks the same one).
        """
        assert self.names is not None
        if scope is None:
            return self.docs, self.names, self.industry_of
        key = hashlib.blake2b(np.ascontiguousarray(scope, dtype=np.int64).tobytes(), digest_size=16).digest()
        cache = self.__dict__.setdefault("_scopes", {})
        if key not in cache:
            if len(cache) >= SCOPES_KEPT:
                cache.clear()
            cache[key] = (self.docs[:, scope].tocsr(), self.names[:, scope].tocsr(), self.industry_of[scope])
        return cache[key]

    def narrow(self, q: Queries, rows: np.ndarray, cols: np.ndarray, *, enabled: frozenset[str],
               ) -> dict[str, np.ndarray]:
        """Signals of (need row, organization col) pairs, `rows` ascending: maxsim, industry, dense, cover, head,
        generic, length, size; each an array aligned with the pairs."""
        n = len(rows)
        out = {"maxsim": np.zeros(n, dtype=np.float32), "size": self.size[cols].astype(np.float32)}
        if "industry" in enabled:
            out["industry"] = np.zeros(n, dtype=np.float32)
        dense = "dense" in enabled and self.encoder is not None and self.product_vectors is not None
        if dense:
            out["dense"] = np.zeros(n, dtype=np.float32)
            vectors = self.encoder.encode(q.raw, query=True)
        bounds = np.searchsorted(rows, np.arange(len(q.raw) + 1))
        for row in range(len(q.raw)):
            part = slice(int(bounds[row]), int(bounds[row + 1]))
            if part.start == part.stop:
                continue
            lengths, members = self._product_rows(cols[part])
            if not len(members):
                continue
            segments = np.flatnonzero(lengths)  # candidates with at least one product
            starts = np.concatenate(([0], np.cumsum(lengths[segments])[:-1]))
            sims = (self.products[members] @ q.tfidf[row].T).toarray().ravel().astype(np.float32)
            values = out["maxsim"][part]
            values[segments] = np.maximum.reduceat(sims, starts)
            if "industry" in enabled:
                out["industry"][part] = self._industry_prior(sims, members, cols[part])
            if dense:
                cos = self.product_vectors[members] @ vectors[row]
                best = np.maximum.reduceat(cos, starts)
                mean = np.add.reduceat(cos, starts) / lengths[segments]
                values = out["dense"][part]
                values[segments] = np.maximum(0.5 * (best + mean) - np.median(cos), 0.0)
        if "surface" in enabled:
            out.update(self._surface(q, rows, cols))
        return out

    def _product_rows(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(product count per col, product row indexes grouped by col) of organizations `cols`."""
        lengths = self.row_stop[cols] - self.row_start[cols]
        total = int(lengths.sum())
        owner = np.repeat(np.arange(len(cols)), lengths)
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return lengths, self.row_start[cols][owner] + offsets

    def _industry_prior(self, sims: np.ndarray, members: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """P(industry | need) voted by the candidates' most similar products, read off at each candidate."""
        k = min(TOP_PRODUCTS, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        industry = self.industry_of[self.product_org[members[top]]]
        known = industry >= 0
        votes = np.bincount(industry[known], weights=sims[top][known] ** 2, minlength=len(self.industries))
        total = float(votes.sum())
        prior = np.zeros(len(cols), dtype=np.float32)
        mine = self.industry_of[cols]
        if total > 1e-6:
            prior[mine >= 0] = votes[mine[mine >= 0]] / total
        return prior

    def _surface(self, q: Queries, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """cover: share of the need's bigrams the organization uses anywhere; head: whether it uses the need's head
        bigram; generic: log df of that bigram (per need); length: the need's length (per need)."""
        assert self.presence is not None and self.bigram_df is not None and self.bigram_vectorizer is not None
        grams = self.bigram_vectorizer.transform(q.clean).tocsr()
        heads = self.bigram_vectorizer.transform([head(text) for text in q.clean]).tocsr()
        total = np.asarray([max(len(bigrams(text)), 1) for text in q.clean], dtype=np.float32)
        used = self.presence[cols]  # candidates × bigrams
        cover = np.asarray(used.multiply(grams[rows]).sum(axis=1), dtype=np.float32).ravel() / total[rows]
        has_head = np.asarray(used.multiply(heads[rows]).sum(axis=1), dtype=np.float32).ravel()
        generic = np.log1p(np.asarray(heads @ self.bigram_df, dtype=np.float32).ravel())
        length = np.log1p(np.asarray([len(text.replace(" ", "")) for text in q.clean], dtype=np.float32))
        return {"cover": cover, "head": np.minimum(has_head, 1.0), "generic": generic[rows], "length": length[rows]}

    def _sector(self, q: sparse.csr_matrix, industry_of: np.ndarray) -> np.ndarray:
        """TF-IDF cosine of the need to everything the organization's industry makes (0 when unknown), for the
        organizations whose industries are `industry_of`."""
        result = np.zeros((q.shape[0], len(industry_of)), dtype=np.float32)
        if self.sectors is None or not self.sectors.shape[1]:
            return result
        sims = (q @ self.sectors).toarray().astype(np.float32, copy=False)
        known = industry_of >= 0
        result[:, known] = sims[:, industry_of[known]]
        return result

    def product_similarity(self, q: Queries, row: int, cols: np.ndarray) -> list[np.ndarray]:
        """Character TF-IDF cosine of need `row` of `q` to each product of organizations `cols` (one array each)."""
        lengths, members = self._product_rows(cols)
        sims = (self.products[members] @ q.tfidf[row].T).toarray().ravel().astype(np.float32)
        return np.split(sims, np.cumsum(lengths)[:-1])

    def signals(self, texts: Sequence[str], *, enabled: frozenset[str]) -> dict[str, np.ndarray]:
        """Every enabled signal of every organization for each text (needs × organizations float32): for reading
        and tests; matching reads the broad signals of all organizations and the narrow ones of its candidates."""
        q = self.queries(texts)
        out = self.broad(q, enabled=enabled)
        n_orgs = len(self.orgs)
        rows = np.repeat(np.arange(len(texts)), n_orgs)
        cols = np.tile(np.arange(n_orgs), len(texts))
        for name, values in self.narrow(q, rows, cols, enabled=enabled).items():
            out[name] = values.reshape(len(texts), n_orgs)
        return out
