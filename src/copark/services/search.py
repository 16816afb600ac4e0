"""Free-text search of organizations: which ones a word names, through a substring index per backend.

A word names an organization when it is part of (case-insensitive) its name, short name, description, one of its
主营产品 or one of its listed items, or, for a word of Latin letters, of its name's pinyin initials (可孚医疗: kfyl).
The rule is one; how it is found depends on the backend:

- SQLite: FTS5 trigram tables (migration 0010, kept by triggers). A word of three characters or more is a phrase
  query. A shorter one is expanded into the indexed trigrams it begins (every indexed value ends in PAD, so even
  a value's last character begins one), read from the fts5vocab table; a very common short word (more than
  TERMS_MAX trigrams) is searched by scanning instead, which stops early because such words match early.
- PostgreSQL: ILIKE, which pg_trgm GIN indexes (migration 0010) answer for words of three characters or more;
  shorter words scan.
- Anywhere, as the fallback: LIKE/ILIKE over the columns and an EXISTS over the items (`scan`).
"""

from __future__ import annotations

import json
import re

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

#: End padding of every value in the SQLite indexes (migration 0010 writes the same): two characters no typed word
#: contains, so that the last characters of a value begin trigrams too.
PAD = "\x01\x01"

#: A one- or two-character word expanding into more indexed trigrams than this is searched by scanning instead.
#: On the 100k-organization / 1M-item bench workspace the expansion of a word with 200 trigrams takes ~15 ms
#: and a common word's scan stops within its first few hundred organizations (bench/web/README.md).
TERMS_MAX = 200

#: Results are counted up to this many; more shows as "1000+" (counting every match of a common word would
#: read all of them, while a page shows 200).
COUNT_CAP = 1000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ORG_TEXT = "{name short_name description products}"


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


def _fts5(session: Session, word: str, initials: str | None) -> ColumnElement[bool]:
    """The rule through the FTS5 trigram tables (SQLite)."""
    in_text = _fts_expression(session, "org_fts_vocab", word)
    in_items = _fts_expression(session, "item_fts_vocab", word)
    in_initials = _fts_expression(session, "org_fts_vocab", initials) if initials else ""
    if in_text is None or in_items is None or in_initials is None:
        return scan(word, initials)
    org_parts = [f"{_ORG_TEXT} : ({in_text})"] if in_text else []
    if in_initials:
        org_parts.append(f"{{name_initials}} : ({in_initials})")
    arms = []
    if org_parts:
        org_fts = table("org_fts", column("rowid"))
        arms.append(select(org_fts.c.rowid).where(text("org_fts MATCH :org_match").bindparams(
            org_match=" OR ".join(org_parts))))
    if in_items:
        item_fts = table("item_fts", column("rowid"))
        hits = select(item_fts.c.rowid).where(text("item_fts MATCH :item_match").bindparams(item_match=in_items))
        arms.append(select(Item.organization_id).where(Item.id.in_(hits), LISTED))
    if not arms:
        return false()
    return Organization.id.in_(arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0])


def matches(session: Session, typed: str) -> ColumnElement[bool]:
    """A condition on the organization table: the organizations the typed word names (module docstring)."""
    word, initials = words(typed)
    if not word:
        return true()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _fts5(session, word, initials)
    if dialect == "postgresql" and len(word) >= 3 and (initials is None or len(initials) >= 3):
        return _trigram(word, initials)
    return scan(word, initials)


def capped_count(session: Session, condition: ColumnElement[bool]) -> tuple[int, bool]:
    """How many organizations satisfy `condition`, counted up to COUNT_CAP, and whether there are more."""
    found = select(Organization.id).where(condition).limit(COUNT_CAP + 1).subquery()
    n = session.scalar(select(func.count()).select_from(found)) or 0
    return min(n, COUNT_CAP), n > COUNT_CAP
