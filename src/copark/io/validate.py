"""Validate raw rows into parks, organizations and items, collecting every problem with the row it is in."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import partial

from copark.core.errors import CoparkError, Problem
from copark.core.vocab import Direction, InferredStatus, ItemKind, OrgKind, Origin
from copark.io.industries import resolve_industry
from copark.io.listcells import guess_kind, read_facts, split_facts, split_list
from copark.io.readers import RawRow, RawSheet
from copark.io.records import MAX_LENGTH, ItemRecord, OrgRecord, ParkRecord, cell_text
from copark.io.scope import scope_objects
from copark.knowledge.industries import IndustryTable, parse_code
from copark.knowledge.positioning import expand_positioning
from copark.locale import label, labels, parse_label, t
from copark.parsing.credit_code import validate_credit_code
from copark.parsing.names import different_places, guess_org_kind, normalize_name
from copark.parsing.numbers import (
    amount_unit,
    header_note,
    parse_amount,
    parse_date,
    parse_int,
    parse_quantity,
    states_unit,
)
from copark.parsing.regions import RegionTable


@dataclass
class StoredOrgs:
    """Organizations already in the database, indexed the way import rows find them."""

    by_code: dict[str, int] = field(default_factory=dict)
    by_norm: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    code_of: dict[int, str] = field(default_factory=dict)


@dataclass
class Batch:
    """What one import will write, and the rows it cannot."""

    parks: dict[str, ParkRecord] = field(default_factory=dict)
    orgs: list[OrgRecord] = field(default_factory=list)
    items: dict[tuple, ItemRecord] = field(default_factory=dict)
    bad_rows: dict[RawRow, list[Problem]] = field(default_factory=dict)
    rows_read: int = 0
    warnings: list[str] = field(default_factory=list)  # reported, not refused

    @property
    def problems(self) -> list[Problem]:
        return [p for problems in self.bad_rows.values() for p in problems]


_MISSING = object()


class _RowError(Exception):
    """Collects a row's problems; raised once the whole row has been checked."""


class Validator:
    """Turns sheets into a Batch; one instance per import (it caches region and name lookups)."""

    def __init__(self, *, regions: RegionTable, industries: IndustryTable, stored: StoredOrgs) -> None:
        self.regions = regions
        self.industries = industries
        self.stored = stored
        self.batch = Batch()
        self._region_words = regions.words()
        self._norms: dict[str, str] = {}
        self._memo: dict[tuple[object, type, object], object] = {}
        self._by_code: dict[str, OrgRecord] = {}
        self._by_norm: dict[str, OrgRecord] = {}
        self._rejected_norms: set[str] = set()
        self._shared_norms: dict[str, list[OrgRecord]] = {}  # names two organizations with different codes share
        self._orgs_settled = False
        self._amount_parsers: dict[str, Callable[[object], object]] = {}

    # ---- entry point -------------------------------------------------------------------------------
    def run(self, sheets: list[RawSheet], progress: Callable[[int], None] | None = None) -> Batch:
        order = {"parks": 0, "orgs": 1, "items": 2}
        handlers = {"parks": self._park_row, "orgs": self._org_row, "items": self._item_row}
        for sheet in sorted(sheets, key=lambda s: order[s.layout_key]):
            if sheet.layout_key == "items" and not self._orgs_settled:
                self._settle_orgs()
            for row in sheet.rows:
                self.batch.rows_read += 1
                try:
                    handlers[sheet.layout_key](row)
                except _RowError:
                    pass
                if progress:
                    progress(1)
        if not self._orgs_settled:
            self._settle_orgs()
        return self.batch

    # ---- cell helpers ------------------------------------------------------------------------------
    def _fail(self, row: RawRow, problems: list[Problem]) -> None:
        if problems:
            self.batch.bad_rows.setdefault(row, []).extend(problems)
            raise _RowError

    def _text(self, row: RawRow, key: str, problems: list[Problem], *, required: bool = False) -> str:
        text = cell_text(row.cell(key))
        if required and not text:
            column = row.sheet.header_of(key)
            merged = row.merged_range(key)
            if merged:
                problems.append(Problem(row.where(key), t("import.merged_blank", column=column, range=merged),
                                        t("import.merged_blank.fix", column=column)))
            else:
                problems.append(Problem(row.where(key), t("import.required", column=column),
                                        t("import.required.fix", column=column)))
        limit = MAX_LENGTH[row.sheet.layout_key].get(_COLUMN_FIELD.get(key, key))
        if limit and len(text) > limit:
            problems.append(Problem(row.where(key), t("import.bad_text", column=row.sheet.header_of(key),
                                                      length=len(text), limit=limit), t("import.bad_text.fix")))
        return text

    def _parse(self, row: RawRow, key: str, parser: Callable[[object], object], problems: list[Problem]) -> object:
        value = row.cell(key)
        if value is None or not cell_text(value):
            return None
        # Lists repeat the same dates, regions and amounts row after row: parse each once.
        memo_key = (parser, type(value), value)
        found = self._memo.get(memo_key, _MISSING)
        if found is _MISSING:
            try:
                found = parser(value)
            except CoparkError as error:
                found = error
            self._memo[memo_key] = found
        if isinstance(found, CoparkError):
            problems.append(Problem(row.where(key), found.problem.what, found.problem.fix))
            return None
        return found

    def _amount(self, row: RawRow, key: str, problems: list[Problem]) -> tuple[float | None, str | None]:
        """An amount cell in the unit its header states (年营业收入（万元）: 3500 is 3500万元), and its text as
        written with that unit (3500万元), so an export read back without the header's note means the same."""
        unit = amount_unit(row.sheet.header_of(key)) or "元"
        parser = self._amount_parsers.setdefault(unit, partial(parse_amount, unit=unit))
        value = self._parse(row, key, parser, problems)
        if value is None:
            return None, None
        text = cell_text(row.cell(key))
        return value, text if states_unit(text) or unit == "元" else text + unit

    def _region(self, value: object) -> str:
        return self.regions.resolve(cell_text(value)).code

    def _industry(self, value: object) -> str:
        return resolve_industry(self.industries, cell_text(value))

    def _industry_fields(self, row: RawRow, problems: list[Problem]) -> dict[str, object]:
        """行业: a GB/T 4754 code or exact name becomes industry_code; Chinese words that are neither (电子信息,
        汽车零部件, LED) are kept as written in industry_text. A malformed code (A3581, 9999, X12345) is still an error."""
        text = cell_text(row.cell("industry"))
        code_like = re.fullmatch(r"[A-Za-z]?\s*\d+|[A-Za-z]", text.strip()) is not None  # A3581, 9999, X12345, Z
        if text and not code_like and parse_code(text) is None and self.industries.by_exact_name(text) is None:
            return {"industry_code": None, "industry_text": text}
        return {"industry_code": self._parse(row, "industry", self._industry, problems)}

    def _vocab(self, row: RawRow, key: str, enum_type: type[Enum], message: str,
               problems: list[Problem]) -> Enum | None:
        text = cell_text(row.cell(key))
        if not text:
            return None
        memo_key = (enum_type, str, text)
        if memo_key not in self._memo:
            self._memo[memo_key] = parse_label(enum_type, text)
        value = self._memo[memo_key]
        if value is None:
            choices = "、".join(labels(enum_type).values())
            problems.append(Problem(row.where(key), t(f"import.{message}", value=text),
                                    t(f"import.{message}.fix", choices=choices)))
        return value

    def norm(self, name: str) -> str:
        if name not in self._norms:
            self._norms[name] = normalize_name(name, self._region_words)
        return self._norms[name]

    # ---- parks -------------------------------------------------------------------------------------
    def _park_row(self, row: RawRow) -> None:
        problems: list[Problem] = []
        name = self._text(row, "name", problems, required=True)
        fields = {
            "region_code": self._parse(row, "region", self._region, problems),
            "partner_region_code": self._parse(row, "partner_region", self._region, problems),
            "founded": self._parse(row, "founded", parse_date, problems),
            "positioning": self._positioning(row),
            "description": self._text(row, "description", problems) or None,
        }
        self._fail(row, problems)
        record = self.batch.parks.get(name)
        if record is None:
            self.batch.parks[name] = ParkRecord(name, _present(fields), row)
            return
        self._merge(row, record.fields, _present(fields), record.row, "import.dup_org_conflict",
                    t("import.dup_how.name"))
        if record.row is None:
            record.row = row

    def _positioning(self, row: RawRow) -> list[str] | None:
        """主导产业 as written, followed by the industry codes its words stand for; words that stand for none
        are reported (matching could only look for them in organizations' own wording)."""
        entries, unmapped = expand_positioning(split_list(row.cell("positioning")), self.industries)
        if unmapped:
            self.batch.warnings.append(f"{row.where('positioning')}: " + t(
                "import.positioning_unmapped", words="、".join(unmapped), examples=t("import.positioning_examples")))
        return entries or None

    def park_named(self, name: str) -> None:
        self.batch.parks.setdefault(name, ParkRecord(name))

    # ---- organizations -----------------------------------------------------------------------------
    def _org_row(self, row: RawRow) -> None:
        problems: list[Problem] = []
        name = self._text(row, "name", problems, required=True)
        kind = self._vocab(row, "kind", OrgKind, "bad_kind", problems)
        credit_code = self._parse(row, "credit_code", validate_credit_code, problems)
        revenue, revenue_text = self._amount(row, "revenue", problems)
        # The registered 经营范围 is the description when the row gives no 企业简介 of its own.
        scope = self._text(row, "scope", problems)
        fields = {
            "short_name": self._text(row, "short_name", problems) or None,
            "kind": kind.value if kind else guess_org_kind(name) if not cell_text(row.cell("kind")) else None,
            "region_code": self._parse(row, "region", self._region, problems),
            "park": self._text(row, "park", problems) or None,
            **self._industry_fields(row, problems),
            "products": split_list(row.cell("products")) or None,
            "description": self._text(row, "description", problems) or scope or None,
            "contact": self._text(row, "contact", problems) or None,
            "note": self._text(row, "note", problems) or None,
            "employees": self._parse(row, "employees", parse_int, problems),
            "annual_revenue": revenue,
            "annual_revenue_text": revenue_text,
        }
        if name and not problems and not self.norm(name):
            problems.append(Problem(row.where("name"), t("import.required", column=row.sheet.header_of("name")),
                                    t("import.required.fix", column=row.sheet.header_of("name"))))
        if problems and name:
            self._rejected_norms.add(self.norm(name))
        self._fail(row, problems)
        norm = self.norm(name)
        fields = _present(fields)
        record, how = None, ""
        if credit_code and credit_code in self._by_code:
            record, how = self._by_code[credit_code], t("import.dup_how.code")
        elif norm in self._by_norm and not _two_orgs(self._by_norm[norm], name, credit_code, self._region_words):
            record, how = self._by_norm[norm], t("import.dup_how.name")
        elif norm in self._by_norm:
            self._shared_norms.setdefault(norm, [self._by_norm[norm]])
        if record is None:
            record = OrgRecord(name, norm, credit_code, fields, [row])  # type: ignore[arg-type]
            self.batch.orgs.append(record)
            if norm in self._shared_norms:
                self._shared_norms[norm].append(record)
        else:
            if credit_code and record.credit_code and credit_code != record.credit_code:
                self._conflict(row, record.rows[0], "credit_code", credit_code, record.credit_code, how)
                return
            if not self._merge(row, record.fields, fields, record.rows[0], "import.dup_org_conflict", how):
                return
            record.credit_code = record.credit_code or credit_code  # type: ignore[assignment]
            record.rows.append(row)
        if record.credit_code:
            self._by_code[record.credit_code] = record
        self._by_norm.setdefault(norm, record)
        if "park" in fields:
            self.park_named(str(fields["park"]))

    def _settle_orgs(self) -> None:
        """Match this import's organizations to stored ones, then turn their list cells into items."""
        self._orgs_settled = True
        for record in self.batch.orgs:
            if record.credit_code and record.credit_code in self.stored.by_code:
                record.db_id = self.stored.by_code[record.credit_code]
                continue
            matches = [(i, n) for i, n in self.stored.by_norm.get(record.norm_name, [])
                       if not _other_code(self.stored.code_of.get(i), record.credit_code)
                       and not different_places(n, record.name, self._region_words)]
            if len(matches) == 1:
                record.db_id, stored_name = matches[0]
                if stored_name != record.name:  # 湖南仁和康醫用材料 finds 湖南仁和康医用材料 but never renames it
                    self.batch.warnings.append(f"{record.rows[0].where('name')}: " + t(
                        "import.name_variant", name=record.name, stored=stored_name, id=record.db_id))
                    record.name = stored_name
            elif len(matches) > 1 and not record.credit_code:
                names = "、".join(f"{n}(#{i})" for i, n in matches[:5])
                self.batch.bad_rows.setdefault(record.rows[0], []).append(Problem(
                    record.rows[0].where("name"), t("import.db_ambiguous", name=record.name, names=names),
                    t("import.db_ambiguous.fix")))
        rejected = {id(r) for r in self.batch.orgs if any(row in self.batch.bad_rows for row in r.rows)}
        for record in [r for r in self.batch.orgs if id(r) in rejected]:
            self._rejected_norms.add(record.norm_name)
            self._by_norm.pop(record.norm_name, None)
        self.batch.orgs = [r for r in self.batch.orgs if id(r) not in rejected]
        for record in self.batch.orgs:
            for row in record.rows:
                for key, direction in (("offers", Direction.offer), ("needs", Direction.need)):
                    for piece in split_list(row.cell(key)):
                        facts = read_facts(piece)
                        text, phrases = split_facts(piece)
                        item = ItemRecord(record, direction.value, text, _present({
                            "kind": guess_kind(text).value,
                            "annual_value": facts.annual_value,
                            "annual_value_text": facts.annual_value_text or None,
                            "quantity": facts.quantity,
                            "unit": facts.unit or None,
                            "note": phrases or None,
                        }), kind_guessed=True, row=row)
                        self._add_item(item)
                for piece in scope_objects(row.cell("scope")):
                    self._add_item(ItemRecord(record, Direction.offer.value, piece,
                                              {"kind": guess_kind(piece).value}, kind_guessed=True, row=row,
                                              origin=Origin.scope.value))

    # ---- items -------------------------------------------------------------------------------------
    def _item_row(self, row: RawRow) -> None:
        problems: list[Problem] = []
        org_name = self._text(row, "org", problems, required=True)
        direction = self._vocab(row, "direction", Direction, "bad_direction", problems)
        if not cell_text(row.cell("direction")):
            column = row.sheet.header_of("direction")
            problems.append(Problem(row.where("direction"), t("import.required", column=column),
                                    t("import.bad_direction.fix")))
        kind = self._vocab(row, "kind", ItemKind, "bad_item_kind", problems)
        text = self._text(row, "text", problems, required=True)
        quantity = self._parse(row, "quantity", parse_quantity, problems)
        if quantity is None and cell_text(row.cell("quantity")) and not any(
                p.where == row.where("quantity") for p in problems):
            problems.append(Problem(row.where("quantity"), t("import.bad_quantity", value=row.cell("quantity")),
                                    t("import.bad_quantity.fix")))
        value, value_text = self._amount(row, "annual_value", problems)
        unit = (self._text(row, "unit", problems) or (quantity.unit if quantity else "")  # type: ignore[attr-defined]
                or (header_note(row.sheet.header_of("quantity")) if quantity else ""))
        fields = {
            "kind": kind.value if kind else None,
            "quantity": quantity.value if quantity else None,  # type: ignore[attr-defined]
            "unit": unit or None,
            "annual_value": value,
            "annual_value_text": value_text,
            "certifications": self._text(row, "certifications", problems) or None,
            "valid_until": self._parse(row, "valid_until", parse_date, problems),
            "note": self._text(row, "note", problems) or None,
        }
        origin, status = self._review(row, problems)
        text = self._text_facts(text, fields)
        org: OrgRecord | int | None = None
        if org_name:
            org = self._find_org(row, org_name, problems)
        self._fail(row, problems)
        guessed = kind is None
        if guessed:
            fields["kind"] = guess_kind(text).value
        assert org is not None and direction is not None
        self._add_item(ItemRecord(org, direction.value, text, _present(fields), kind_guessed=guessed, row=row,
                                  origin=origin, status=status))

    def _review(self, row: RawRow, problems: list[Problem]) -> tuple[str, str | None]:
        """条目来源 and 推断状态 as `copark export` writes them: a machine guess stays a guess, a dismissed one
        dismissed. Empty means declared."""
        origin = self._vocab(row, "origin", Origin, "bad_origin", problems)
        status = self._vocab(row, "status", InferredStatus, "bad_status", problems)
        if origin != Origin.inferred:
            if status is not None:
                problems.append(Problem(row.where("status"), t("import.status_not_inferred", value=label(status)),
                                        t("import.status_not_inferred.fix")))
            return (origin or Origin.declared).value, None
        return origin.value, (status or InferredStatus.proposed).value

    @staticmethod
    def _text_facts(text: str, fields: dict[str, object]) -> str:
        """内容 as matched: amounts and quantities it mentions fill the columns left empty and join 备注."""
        clean, phrases = split_facts(text)
        if not phrases:
            return text
        facts = read_facts(text)
        if fields["annual_value"] is None and facts.annual_value is not None:
            fields.update(annual_value=facts.annual_value, annual_value_text=facts.annual_value_text)
        if fields["quantity"] is None and facts.quantity is not None:
            fields.update(quantity=facts.quantity, unit=fields["unit"] or facts.unit or None)
        fields["note"] = "；".join(str(n) for n in (fields["note"], phrases) if n)
        return clean

    def _find_org(self, row: RawRow, name: str, problems: list[Problem]) -> OrgRecord | int | None:
        norm = self.norm(name)
        exact = [r for r in self._shared_norms.get(norm, []) if r.name == name.strip()]
        if len(exact) == 1:
            return exact[0]
        if norm in self._shared_norms:
            names = "、".join(r.name for r in self._shared_norms[norm][:5])
            problems.append(Problem(row.where("org"), t("import.shared_name", name=name, names=names),
                                    t("import.shared_name.fix")))
            return None
        if norm in self._by_norm:
            return self._by_norm[norm]
        where = row.where("org")
        if norm in self._rejected_norms:
            problems.append(Problem(where, t("import.org_rejected", name=name), t("import.org_rejected.fix")))
            return None
        matches = [(i, n) for i, n in self.stored.by_norm.get(norm, [])
                   if not different_places(n, name, self._region_words)]
        if len(matches) == 1:
            return matches[0][0]
        if matches:
            names = "、".join(f"{n}(#{i})" for i, n in matches[:5])
            problems.append(Problem(where, t("import.db_ambiguous", name=name, names=names), t("org.ambiguous.fix")))
        else:
            problems.append(Problem(where, t("import.unknown_org", name=name), t("import.unknown_org.fix")))
        return None

    def _add_item(self, item: ItemRecord) -> None:
        existing = self.batch.items.get(item.key)
        if existing is None:
            self.batch.items[item.key] = item
            return
        if item.origin == Origin.declared:  # declared by hand as well as registered or inferred: it is declared
            existing.origin, existing.status = Origin.declared.value, None
        incoming = dict(item.fields)
        if item.kind_guessed:
            incoming.pop("kind", None)
        elif existing.kind_guessed:
            existing.fields["kind"] = incoming.pop("kind")
            existing.kind_guessed = False
        assert item.row is not None
        self._merge(item.row, existing.fields, incoming, existing.row, "import.dup_item_conflict", "")

    # ---- merging duplicates ------------------------------------------------------------------------
    def _merge(self, row: RawRow, target: dict[str, object], incoming: dict[str, object],
               other: RawRow | None, message: str, how: str) -> bool:
        """Fill `target` from `incoming` (lists are unioned); any differing value rejects `row` instead."""
        conflicts = [(key, value, target[key]) for key, value in incoming.items()
                     if target.get(key) is not None and not isinstance(value, list)
                     and target[key] != value and not key.endswith("_text")]
        for key, mine, theirs in conflicts:
            self._conflict(row, other, key, mine, theirs, how, message)
        if conflicts:
            return False
        for key, value in incoming.items():
            old = target.get(key)
            if isinstance(old, list) and isinstance(value, list):
                target[key] = old + [v for v in value if v not in old]
            elif old is None:
                target[key] = value
        return True

    def _conflict(self, row: RawRow, other: RawRow | None, key: str, mine: object, theirs: object, how: str,
                  message: str = "import.dup_org_conflict") -> None:
        column_key = _FIELD_COLUMN.get(key, key)
        column = row.sheet.header_of(column_key) if column_key in row.sheet.detected.layout.by_key else key
        where_other = other.where() if other is not None else ""
        self.batch.bad_rows.setdefault(row, []).append(Problem(
            row.where(column_key if column_key in row.sheet.detected.layout.by_key else None),
            t(message, other=where_other, how=how, column=column, mine=_show(mine), theirs=_show(theirs)),
            t(f"{message}.fix")))


# Record field ↔ layout column where their names differ.
_FIELD_COLUMN = {"region_code": "region", "partner_region_code": "partner_region", "industry_code": "industry",
                 "annual_revenue": "revenue", "employees": "employees"}
_COLUMN_FIELD = {"org": "name", "revenue": "annual_revenue_text"}


def _other_code(mine: str | None, theirs: str | None) -> bool:
    """Both organizations have a credit code and the codes differ."""
    return bool(mine and theirs and mine != theirs)


def _two_orgs(record: OrgRecord, name: str, credit_code: str | None, region_words: tuple[str, ...]) -> bool:
    """安化县祥泰种养专业合作社 and 嘉禾县祥泰种养专业合作社: one name once regions are stripped, but they name
    different counties, so two organizations (unless one credit code says otherwise); names with two credit codes
    that differ in wording are two as well (湖南乙科技 and 乙科技 with two codes stay one with a conflict to fix)."""
    if record.credit_code and credit_code and record.credit_code == credit_code:
        return False
    if different_places(record.name, name, region_words):
        return True
    return _other_code(record.credit_code, credit_code) and normalize_name(record.name) != normalize_name(name)


def _present(fields: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in fields.items() if v is not None and v != "" and v != []}


def _show(value: object) -> str:
    if isinstance(value, Enum):
        return label(value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
