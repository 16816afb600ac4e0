"""Free-text search of organizations: which ones a word names, through a substring index per backend.

A word names an organization when it is part of (case-insensitive) its name, short name, description, one of its
主营产品 or one of its listed items, or, for a word of Latin letters, of its name's pinyin initials (可孚医疗: kfyl).
The rule is one; how it is found depends on the backend:

- SQLite: FTS5 trigram tables (migration 0009, kept by triggers). A word of three characters or more is a phrase
  query. A shorter one is expanded into the indexed trigrams it begins (every indexed value ends in PAD, so even
  a value's last character begins one), read from the fts5vocab table; a very common short word (more than
  TERMS_MAX trigrams) is searched by scanning instead, which stops early because such words match early.
- PostgreSQL: ILIKE, which pg_trgm GIN indexes (migration 0009) answer for words of three characters or more;
  shorter words scan.
- Anywhere, as the fallback: LIKE/ILIKE over the columns and an EXISTS over the items (`scan`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    String,
    cast,
    column,
    exists,
    false,
    func,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.orm import Session

from copark.parsing.names import simplify
from copark.services.items import LISTED
from copark.storage.tables import Item, Organization

#: End padding of every value in the SQLite indexes (migration 0009 writes the same): two characters no typed word
#: contains, so that the last characters of a value begin trigrams too.
PAD = "\x01\x01"

#: item_fts holds listed items only, each under organization id << ITEM_SHIFT | item id (migration 0009).
ITEM_SHIFT = 32

#: A one- or two-character word expanding into more indexed trigrams than this is searched by scanning instead.
#: On the 100k-organization / 1M-item bench workspace the expansion of a word with 200 trigrams takes ~15 ms
#: and a common word's scan stops within its first few hundred organizations (bench/web/README.md).
TERMS_MAX = 200

#: Results are counted up to this many; more shows as "1000+" (counting every match of a common word would
#: read all of them, while a page shows 200).
COUNT_CAP = 1000

#: The first id range a windowed search reads (then four times wider each time): on the bench workspace a word
#: in one item in ten fills a page and the count within the first window.
WINDOW = 4096

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ORG_TEXT = "{name short_name description products}"


@dataclass(frozen=True)
class Match:
    """The organizations a typed word names, as a condition on the organization table, optionally limited to the
    ids in [lo, hi); `windowed`: such a limit makes it cheaper (an FTS5 query then reads only that part of the
    index)."""

    within: Callable[[int | None, int | None], ColumnElement[bool]]
    windowed: bool = False

    def condition(self, lo: int | None = None, hi: int | None = None) -> ColumnElement[bool]:
        return self.within(lo, hi)


def words(typed: str) -> tuple[str, str | None]:
    """The word searched in texts (simplified, half-width, trimmed, control characters dropped) and the one searched
    in pinyin initials (lower case; None unless it is all Latin letters)."""
    word = _CONTROL.sub("", simplify(typed)).strip()
    folded = typed.strip().lower()
    return word, folded if folded.isascii() and folded.isalpha() else None


def like_anywhere(word: str) -> str:
    """A LIKE pattern for `word` anywhere, with ! as the escape character (% and _ typed are literal)."""
    return "%" + word.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def _column_clauses(word: str, initials: str | None) -> list[ColumnElement[bool]]:
    # Case-insensitive on every backend (pcb finds PCB): ILIKE on PostgreSQL, lower() LIKE lower() on SQLite.
    like = like_anywhere(word)
    # products is JSON written with ASCII escapes (\u6d77 for 海) on both backends: search its text in that form.
    escaped = like_anywhere(json.dumps(word)[1:-1])
    clauses = [Organization.name.ilike(like, escape="!"), Organization.short_name.ilike(like, escape="!"),
               Organization.description.ilike(like, escape="!"),
               cast(Organization.products, String).ilike(escaped, escape="!")]
    if initials:
        clauses.append(Organization.name_initials.like(like_anywhere(initials), escape="!"))
    return clauses


def scan(word: str, initials: str | None) -> ColumnElement[bool]:
    """The rule as a row-by-row condition: no index needed, and a query ordered by id stops at its first page."""
    in_items = exists().where(Item.organization_id == Organization.id, Item.text.ilike(like_anywhere(word), escape="!"),
                              LISTED)
    return or_(*_column_clauses(word, initials), in_items)


def _trigram(word: str, initials: str | None) -> ColumnElement[bool]:
    """The rule as a union of ILIKE selections, each of which a pg_trgm GIN index can answer."""
    in_orgs = select(Organization.id).where(or_(*_column_clauses(word, initials)))
    in_items = select(Item.organization_id).where(Item.text.ilike(like_anywhere(word), escape="!"), LISTED)
    return Organization.id.in_(in_orgs.union(in_items))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_expression(session: Session, vocabulary: str, word: str) -> str | None:
    """An FTS5 expression for `word` anywhere; '' when no indexed text can contain it, None when it is a short word
    too common to expand (scan)."""
    if len(word) >= 3:
        return _phrase(word)
    start = word.lower()
    terms = session.execute(text(f"SELECT term FROM {vocabulary} WHERE term >= :lo AND term < :hi LIMIT :n"),
                            {"lo": start, "hi": start + "\U0010ffff", "n": TERMS_MAX + 1}).scalars().all()
    if len(terms) > TERMS_MAX:
        return None
    return " OR ".join(_phrase(t) for t in terms)


def _fts5(session: Session, word: str, initials: str | None) -> Match:
    """The rule through the FTS5 trigram tables (SQLite); the scan when a short word is too common to expand."""
    in_text = _fts_expression(session, "org_fts_vocab", word)
    in_items = _fts_expression(session, "item_fts_vocab", word)
    in_initials = _fts_expression(session, "org_fts_vocab", initials) if initials else ""
    if in_text is None or in_items is None or in_initials is None:
        return Match(lambda lo, hi: scan(word, initials))
    org_parts = [f"{_ORG_TEXT} : ({in_text})"] if in_text else []
    if in_initials:
        org_parts.append(f"{{name_initials}} : ({in_initials})")
    org_fts, item_fts = table("org_fts", column("rowid")), table("item_fts", column("rowid"))

    def within(lo: int | None, hi: int | None) -> ColumnElement[bool]:
        arms = []
        if org_parts:
            arm = select(org_fts.c.rowid).where(text("org_fts MATCH :org_match").bindparams(
                org_match=" OR ".join(org_parts)))
            if lo is not None and hi is not None:
                arm = arm.where(org_fts.c.rowid >= lo, org_fts.c.rowid < hi)
            arms.append(arm)
        if in_items:
            arm = select(item_fts.c.rowid.op(">>")(ITEM_SHIFT).label("id")).where(
                text("item_fts MATCH :item_match").bindparams(item_match=in_items))
            if lo is not None and hi is not None:
                arm = arm.where(item_fts.c.rowid >= lo << ITEM_SHIFT, item_fts.c.rowid < hi << ITEM_SHIFT)
            arms.append(arm)
        if not arms:
            return false()
        return Organization.id.in_(arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0])

    return Match(within, windowed=True)


def matches(session: Session, typed: str) -> Match:
    """The organizations the typed word names (module docstring), by the backend's strategy."""
    word, initials = words(typed)
    if not word:
        return Match(lambda lo, hi: true())
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _fts5(session, word, initials)
    if dialect == "postgresql" and len(word) >= 3 and (initials is None or len(initials) >= 3):
        return Match(lambda lo, hi: _trigram(word, initials))
    return Match(lambda lo, hi: scan(word, initials))


def first_ids(session: Session, match: Match, where: ColumnElement[bool], need: int,
              after: int | None = None) -> list[int]:
    """The first `need` organization ids (ascending, above `after`) that `where` and the match select. A windowed
    match is asked about growing ranges of ids (WINDOW, then four times wider each time) until enough are found, so
    a common word reads only the start of its index entries instead of all of them."""
    base = select(Organization.id).where(where).order_by(Organization.id)
    if after is not None:
        base = base.where(Organization.id > after)
    if not match.windowed:
        return list(session.scalars(base.where(match.condition()).limit(need)))
    top = session.scalar(select(func.max(Organization.id))) or 0
    lo, width, found = (after or 0) + 1, WINDOW, []
    while len(found) < need and lo <= top:
        hi = lo + width
        found += session.scalars(base.where(match.condition(lo, hi), Organization.id >= lo, Organization.id < hi)
                                 .limit(need - len(found)))
        lo, width = hi, width * 4
    return found
