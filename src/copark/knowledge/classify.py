"""Guess the GB/T 4754 industry of an item, a product phrase or an organization, and say why."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from copark.knowledge.industries import IndustryTable, builtin_industries, parse_code
from copark.knowledge.text import (
    ProductLexicon,
    core_phrase,
    head_noun,
    normalize,
    product_lexicon,
    strip_quantities,
)

# A business scope (经营范围) is clauses separated by ；/。; inside a clause 、/， list objects of one verb.
_CLAUSES = re.compile(r"[;；。\n]+")
# Verbs saying the organization makes the thing, versus only trades or advises on it.
_MAKE_VERBS = ("生产", "制造", "加工", "制作", "研制", "生产销售", "种植", "养殖", "开采", "冶炼", "印刷", "定制", "代工")
_TRADE_VERBS = ("销售", "批发", "零售", "经销", "代理", "进出口", "咨询", "租赁", "维修")
_SERVICE_PREFIX = ("技术", "咨询", "进出口", "货物及技术", "自营和代理")
# Evidence weights: a known product says more than a keyword, a keyword more than character n-grams.
_W_PRODUCT = {"exact": 1.6, "alias": 1.5, "head": 1.2, "mention": 1.2}
_W_KEYWORD = 1.0
_W_NGRAM = 0.6
_MAX_TERM = 12


@dataclass(frozen=True)
class Evidence:
    """One reason for a guess: a product node, a keyword or n-gram similarity, found in `term`."""

    source: str  # product | keyword | ngram
    term: str
    code: str
    weight: float
    how: str = ""  # product matches: exact | alias | mention | head
    node: str = ""


@dataclass
class IndustryGuess:
    """A GB/T 4754 code (division, or class when the evidence agrees on one), its name, score 0–1 and why."""

    code: str
    name: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def division(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class ProductMatch:
    """A product of the knowledge base named in a text: exact/alias (the whole text), mention (inside it), head."""

    name: str
    term: str
    how: str
    industry_code: str


_NAME_SUFFIXES = ("及其他制品制造", "制品制造", "制造业", "制造", "加工业", "加工", "生产", "业")


def _name_keywords(industries: IndustryTable) -> dict[str, str]:
    """Industry names as keywords: scopes often quote them (燃气及类似能源家用器具制造 → 3861)."""
    mapping: dict[str, str] = {}
    for record in sorted(industries.by_code.values(), key=lambda r: -r.level):
        if record.level < 2 or not record.code.isdigit():
            continue
        name = normalize(record.name).replace(" ", "")
        forms = {name}
        for suffix in _NAME_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 3:
                forms.add(name[: -len(suffix)])
                break
        for form in forms:
            if not form.startswith("其他") and len(form) >= 3:
                mapping.setdefault(form, record.code)
    return mapping


@lru_cache(maxsize=1)
def industry_keywords() -> dict[str, str]:
    """Keyword → GB/T code (division or class): curated industry_keywords.csv, then industry names."""
    file = resources.files("copark.knowledge") / "data" / "industry_keywords.csv"
    mapping: dict[str, str] = {}
    if not file.is_file():
        return _name_keywords(builtin_industries())
    with file.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = parse_code(row.get("code"))
            if not code:
                continue
            for word in (row.get("keywords") or "").split(";"):
                key = normalize(word)
                # A keyword listed under a class is more specific than the same word listed under its division.
                if key and (key not in mapping or len(code) > len(mapping[key])):
                    mapping[key] = code
    for word, code in _name_keywords(builtin_industries()).items():
        mapping.setdefault(word, code)
    return mapping


def match_products(text: str, lexicon: ProductLexicon | None = None) -> list[ProductMatch]:
    """Knowledge-base products a text names: the whole text, names/aliases inside it, or its head noun."""
    lexicon = lexicon or product_lexicon()
    clean = re.sub(r"\s+", "", strip_quantities(text))
    if not clean or not lexicon.terms:
        return []
    found: dict[str, ProductMatch] = {}

    def add(term: str, how: str) -> None:
        name = lexicon.terms[term]
        if name not in found:
            entry = lexicon.entries[name]
            found[name] = ProductMatch(name, term, how, entry.industry_code)

    if clean in lexicon.terms:
        add(clean, "exact" if normalize(lexicon.terms[clean]) == clean else "alias")
    head, _ = head_noun(text)
    for term, _start in _longest_terms(clean, lexicon.terms):
        add(term, "head" if term == head else "mention")  # 医用护理垫 names 护理垫 as its head
    if head and head in lexicon.terms:
        add(head, "head")
    return list(found.values())


def _longest_terms(text: str, terms: dict[str, str] | dict[str, object]) -> list[tuple[str, int]]:
    """Dictionary terms in text, longest first, skipping any that lie inside a longer one already taken."""
    hits: list[tuple[str, int]] = []
    for start in range(len(text)):
        for end in range(min(len(text), start + _MAX_TERM), start + 1, -1):
            if text[start:end] in terms:
                hits.append((text[start:end], start))
    hits.sort(key=lambda h: (-len(h[0]), h[1]))
    covered: list[tuple[int, int]] = []
    taken: list[tuple[str, int]] = []
    for term, start in hits:
        end = start + len(term)
        if any(s <= start and end <= e for s, e in covered):
            continue
        covered.append((start, end))
        taken.append((term, start))
    return taken


class _NgramModel:
    """Character 2–3-gram TF-IDF over each division's names, descriptions and keywords: the fallback."""

    def __init__(self, industries: IndustryTable, keywords: dict[str, str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs: dict[str, list[str]] = defaultdict(list)
        for record in industries.by_code.values():
            if record.level >= 2:
                docs[record.code[:2]].extend([record.name, record.description])
        for word, code in keywords.items():
            if len(code) >= 2 and code[:2].isdigit():
                docs[code[:2]].append(word)
        self.divisions = sorted(docs)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
        texts = [normalize(" ".join(docs[d])) for d in self.divisions]
        self.matrix = self.vectorizer.fit_transform(texts) if texts else None

    def scores(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        if self.matrix is None or not text:
            return []
        sims = (self.matrix @ self.vectorizer.transform([text]).T).toarray().ravel()
        order = sims.argsort()[::-1][:top]
        return [(self.divisions[i], float(sims[i])) for i in order if sims[i] > 0.05]


@lru_cache(maxsize=1)
def _ngram_model() -> _NgramModel:
    return _NgramModel(builtin_industries(), industry_keywords())


def _clause_weight(clause: str, index: int) -> float:
    """Earlier clauses of a scope name the main business; making outweighs trading or advising."""
    weight = 1.0 / (1.0 + 0.35 * index)
    if any(v in clause for v in _MAKE_VERBS):
        weight *= 1.6
    elif any(v in clause for v in _TRADE_VERBS) or clause.startswith(_SERVICE_PREFIX):
        weight *= 0.35
    return weight


def _code_votes(clause: str, weight: float, lexicon: ProductLexicon,
                keywords: dict[str, str]) -> list[Evidence]:
    """The evidence one clause gives: product nodes, keywords, its head noun, and trading."""
    found: list[Evidence] = []
    compact = re.sub(r"\s+", "", clause)
    taken_spans: list[str] = []
    for match in match_products(clause, lexicon):
        code = parse_code(match.industry_code)
        if code and code[:2].isdigit():
            strength = _W_PRODUCT[match.how] * (min(1.0, 0.7 + 0.1 * len(match.term)) if match.how in ("mention", "head") else 1)
            found.append(Evidence("product", match.term, code, weight * strength, match.how, match.name))
            taken_spans.append(match.term)
    for word, _start in _longest_terms(compact, keywords):
        if any(word in span for span in taken_spans if span != word):
            continue  # 医用护理垫 already matched as a product: its 护理垫 keyword adds nothing new
        # Longer keywords are more specific (医用敷料 over 敷料); two characters are often ambiguous;
        # a quoted industry name (变压器、整流器和电感器制造) is the strongest keyword there is.
        strength = min(1.5, 0.45 + 0.15 * len(word))
        found.append(Evidence("keyword", word, keywords[word], weight * _W_KEYWORD * strength))
    if not found:
        # Nothing known inside the phrase: its head noun may still be (离心泵 → 泵, 彩超设备 → 设备 is not).
        phrase = re.sub(r"\W+", "", core_phrase(clause))
        for start in range(1, len(phrase)):
            if phrase[start:] in keywords:
                found.append(Evidence("keyword", phrase[start:], keywords[phrase[start:]], weight * 0.6))
                break
    if _is_trade(clause):
        # 销售/批发 clauses say the organization trades these goods: the wholesale/retail divisions.
        division = "52" if any(w in clause for w in ("零售", "网上销售", "网店")) else "51"
        found.append(Evidence("keyword", next(w for w in _TRADE_WORDS if w in clause), division, 0.5))
    return found


_TRADE_WORDS = ("批发", "零售", "销售", "经销", "购销")


def _is_trade(clause: str) -> bool:
    return any(w in clause for w in _TRADE_WORDS) and not any(v in clause for v in _MAKE_VERBS)


def classify_industry(text: str, top: int = 3) -> list[IndustryGuess]:
    """The `top` most likely GB/T 4754 divisions (or classes) of a text, best first, with their evidence."""
    clean = strip_quantities(text)
    if not clean:
        return []
    industries = builtin_industries()
    lexicon = product_lexicon()
    keywords = industry_keywords()
    evidence: list[Evidence] = []
    clauses = [c.strip() for c in _CLAUSES.split(clean) if c.strip()]
    for index, clause in enumerate(clauses[:30]):
        evidence.extend(_code_votes(clause, _clause_weight(clause, index), lexicon, keywords))
    # Character n-grams decide little when keywords spoke, but often rescue the second and third guesses.
    for division, similarity in _ngram_model().scores(normalize(clean)):
        evidence.append(Evidence("ngram", "", division, _W_NGRAM * similarity))
    return _rank(evidence, industries, top)


def _rank(evidence: list[Evidence], industries: IndustryTable, top: int) -> list[IndustryGuess]:
    by_division: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_division[item.code[:2]].append(item)
    totals = {d: sum(e.weight for e in items) for d, items in by_division.items()}
    grand = sum(totals.values()) or 1.0
    guesses: list[IndustryGuess] = []
    for division in sorted(totals, key=lambda d: (-totals[d], d))[:top]:
        items = sorted(by_division[division], key=lambda e: -e.weight)
        code = _known_ancestor(_specific_code(division, items), industries)
        name = industries.name(code)
        guesses.append(IndustryGuess(code, name, round(totals[division] / grand, 3), items))
    return guesses


def _known_ancestor(code: str, industries: IndustryTable) -> str:
    """The code itself if the industry table has it, else its nearest ancestor it has (3581 → 358 → 35)."""
    for size in (len(code), 3, 2):
        if size <= len(code) and code[:size] in industries:
            return code[:size]
    return code[:2]


def _specific_code(division: str, items: list[Evidence]) -> str:
    """The class (or group) most of a division's evidence points at, else the division itself."""
    # Division-level evidence agrees with every class of the division, so only class/group evidence votes.
    specific: dict[str, float] = defaultdict(float)
    for item in items:
        if item.source != "ngram" and len(item.code) > 2:
            specific[item.code] += item.weight
    total = sum(specific.values())
    if total <= 0:
        return division
    code, weight = max(specific.items(), key=lambda kv: (kv[1], kv[0]))
    return code if weight > 0.5 * total else division


def classify_organization(name: str, products: list[str] | tuple[str, ...] = (), description: str = "",
                          top: int = 3) -> list[IndustryGuess]:
    """Industry guesses for an organization from its products first, then its description, then its name."""
    from copark.knowledge.text import strip_company_suffix

    parts = [p for p in products if p and p.strip()]
    if description.strip():
        parts.append(description)
    base = strip_company_suffix(name) if name else ""
    if base:
        parts.append(base)  # 湖南某某食品 says something when nothing else does
    return classify_industry("；".join(parts), top=top)
