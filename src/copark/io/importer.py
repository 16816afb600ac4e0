"""import_files: read, validate and write parks, organizations and items in one all-or-nothing transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from copark.core.config import get_settings
from copark.core.errors import CoparkError, Problem, ValidationFailed
from copark.io.listcells import split_facts
from copark.io.readers import RawSheet, read_file
from copark.io.records import ItemRecord, OrgRecord, item_key
from copark.io.rejects import default_rejects_path, write_rejects
from copark.io.validate import Batch, StoredOrgs, Validator
from copark.knowledge.industries import load_industries
from copark.locale import t
from copark.services import items
from copark.storage import db
from copark.storage.tables import Item, Organization, Park
from copark.workspace import Workspace

Progress = Callable[[str, int, int | None], None]  # (stage label, done, total or None)
_CHUNK = 900  # bound parameters per IN (...) query stay well under every backend's limit


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did: counts per object, rejected rows and where they were saved, warnings."""

    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    parks: Counts = field(default_factory=Counts)
    orgs: Counts = field(default_factory=Counts)
    items: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)
    rows_rejected: int = 0
    rejects_paths: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    withdrawn: int | None = None  # items withdrawn by --sync (None: not a sync)


def import_files(
    *,
    workspace: Workspace,
    paths: Sequence[Path | str],
    skip_bad_rows: bool = False,
    rejects_path: Path | str | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    before_write: Callable[[Session], None] | None = None,
    after_write: Callable[[Session], None] | None = None,
    sync: bool = False,
    lock_wait: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ImportReport:
    """Import the files; any problem writes nothing unless skip_bad_rows (then bad rows go to a rejects file).

    With `sync` the files are the complete lists of the organizations they name: their declared items the files
    no longer list are withdrawn (services.items). `before_write(session)` runs first inside the same
    transaction (e.g. to replace earlier demo data), `after_write(session)` last (e.g. to load the demo's
    park-operation records onto the parks just written). One import writes at a time: another waits up to `lock_wait`
    seconds (settings.lock_wait), calling `on_wait` once, then fails with a CoparkError saying so.
    """
    if sync and skip_bad_rows:  # a skipped row would read as an item no longer listed
        raise CoparkError(t("import.sync_skip"), t("import.sync_skip.fix"))
    files = [Path(p) for p in paths]
    report = ImportReport(files=[f.name for f in files])
    fatal: list[Problem] = []
    sheets: list[RawSheet] = []
    for path in files:
        sheets.extend(read_file(path, fatal, report.warnings, progress))
    if not fatal and not any(s.rows for s in sheets):
        fatal.append(Problem(", ".join(report.files), t("import.no_data"), t("import.no_data.fix")))
    if fatal:
        raise _failed(fatal)

    wait = get_settings().lock_wait if lock_wait is None else lock_wait
    with workspace.transaction() as session:
        try:
            db.hold_lock(session, "import", wait=wait, on_wait=on_wait)
        except db.LockTimeout:
            raise CoparkError(t("import.busy", seconds=f"{wait:g}"), t("import.busy.fix")) from None
        if before_write is not None:
            before_write(session)
        # The built-in table lists only the park chains' classes; `kb import --gbt` completes it.
        validator = Validator(regions=workspace.regions, industries=load_industries(session),
                              stored=_stored_orgs(session))
        total = sum(len(s.rows) for s in sheets)
        batch = validator.run(sheets, _ticker(progress, t("import.progress.check"), total))
        report.rows_read = batch.rows_read
        report.warnings.extend(batch.warnings)
        report.problems = batch.problems
        report.rows_rejected = len(batch.bad_rows)
        if batch.bad_rows and not skip_bad_rows:
            raise _failed(report.problems)
        _write(session, batch, report, source, sync)
        if after_write is not None:
            after_write(session)
        if batch.bad_rows:
            target = Path(rejects_path) if rejects_path else default_rejects_path(files[0])
            report.rejects_paths = write_rejects(target, batch.bad_rows)
    return report


def _failed(problems: list[Problem]) -> ValidationFailed:
    error = ValidationFailed(problems, t("import.failed", count=len(problems)))
    error.problem.fix = t("import.failed.fix")
    return error


def _ticker(progress: Progress | None, label: str, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if done % 2000 == 0 or done == total:
            progress(label, done, total)

    return tick


def _stored_orgs(session: Session) -> StoredOrgs:
    stored = StoredOrgs()
    for org_id, name, norm, code in session.execute(
        select(Organization.id, Organization.name, Organization.norm_name, Organization.credit_code)
    ):
        if code:
            stored.by_code[code] = org_id
            stored.code_of[org_id] = code
        stored.by_norm.setdefault(norm, []).append((org_id, name))
    return stored


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _source_of(record: OrgRecord | ItemRecord, source: str | None) -> str:
    row = record.rows[0] if isinstance(record, OrgRecord) else record.row
    return source or (row.sheet.path.name if row is not None else "")


def _write(session: Session, batch: Batch, report: ImportReport, source: str | None, sync: bool) -> None:
    park_ids = _write_parks(session, batch, report, source)
    org_ids = _write_orgs(session, batch, report, park_ids, source)
    listed = _write_items(session, batch, report, org_ids, source)
    if sync:
        named = {r.db_id for r in batch.orgs if r.db_id is not None}
        named |= {item.org for item in batch.items.values() if isinstance(item.org, int)}
        stale = items.unlisted(session=session, org_ids=named, listed_ids=listed)
        report.withdrawn = items.withdraw(session=session, item_ids=stale)


def _changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if current.get(k) != v}


def _write_parks(session: Session, batch: Batch, report: ImportReport, source: str | None) -> dict[str, int]:
    existing = {p.name: p for p in session.scalars(select(Park))}
    for name, record in batch.parks.items():
        park = existing.get(name)
        if park is None:
            park = Park(name=name, positioning=[], description="", source=source or (
                record.row.sheet.path.name if record.row else ""))
            session.add(park)
            existing[name] = park
            report.parks.created += 1
            for key, value in record.fields.items():
                setattr(park, key, value)
            continue
        changed = _changes({k: getattr(park, k) for k in record.fields}, record.fields)
        for key, value in changed.items():
            setattr(park, key, value)
        if changed:
            report.parks.updated += 1
        else:
            report.parks.unchanged += 1
    session.flush()
    return {name: park.id for name, park in existing.items()}


_ORG_FIELDS = ("short_name", "kind", "region_code", "industry_code", "industry_text", "products", "description", "contact",
               "employees", "annual_revenue", "annual_revenue_text", "note")


def _org_values(record: OrgRecord, park_ids: dict[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = {"name": record.name, "norm_name": record.norm_name}
    if record.credit_code:
        values["credit_code"] = record.credit_code
    for key in _ORG_FIELDS:
        if key in record.fields:
            values[key] = record.fields[key]
    if "park" in record.fields:
        values["park_id"] = park_ids[str(record.fields["park"])]
    return values


def _write_orgs(session: Session, batch: Batch, report: ImportReport, park_ids: dict[str, int],
                source: str | None) -> dict[int, int]:
    """Insert new and update changed organizations; returns id(record) → organization id."""
    ids = sorted({r.db_id for r in batch.orgs if r.db_id is not None})
    columns = [Organization.id, Organization.name, Organization.norm_name, Organization.credit_code,
               Organization.park_id, *(getattr(Organization, k) for k in _ORG_FIELDS)]
    current: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(*columns).where(Organization.id.in_(chunk))).mappings():
            current[row["id"]] = dict(row)
    inserts: list[dict[str, Any]] = []
    new_records: list[OrgRecord] = []
    updates: list[dict[str, Any]] = []
    for record in batch.orgs:
        values = _org_values(record, park_ids)
        if record.db_id is None:
            row = {"kind": "enterprise", "short_name": "", "credit_code": None, "region_code": None,
                   "park_id": None, "industry_code": None, "industry_text": "", "products": [], "description": "", "contact": "",
                   "employees": None, "annual_revenue": None, "annual_revenue_text": "", "note": "",
                   "source": _source_of(record, source)}
            row.update(values)
            inserts.append(row)
            new_records.append(record)
            continue
        changed = _changes(current.get(record.db_id, {}), values)
        if changed:
            updates.append({"id": record.db_id, **changed})
            report.orgs.updated += 1
        else:
            report.orgs.unchanged += 1
    if updates:
        session.execute(update(Organization), updates)
    if inserts:
        new_ids = session.scalars(
            insert(Organization).returning(Organization.id, sort_by_parameter_order=True), inserts
        ).all()
        for record, org_id in zip(new_records, new_ids, strict=True):
            record.db_id = org_id
        report.orgs.created += len(inserts)
    return {id(r): r.db_id for r in batch.orgs if r.db_id is not None}


_ITEM_FIELDS = ("kind", "quantity", "unit", "annual_value", "annual_value_text", "certifications",
                "valid_until", "note")


def _write_items(session: Session, batch: Batch, report: ImportReport, org_ids: dict[int, int],
                 source: str | None) -> set[int]:
    """Insert new and update changed items (listing a withdrawn one again); returns the ids of the items written."""
    def org_id_of(item: ItemRecord) -> int:
        return item.org if isinstance(item.org, int) else org_ids[id(item.org)]

    wanted = [(org_id_of(item), item) for item in batch.items.values()]
    ids = sorted({org_id for org_id, _ in wanted})
    columns = [Item.id, Item.organization_id, Item.direction, Item.text, Item.origin, Item.status,
               Item.withdrawn_at, *(getattr(Item, k) for k in _ITEM_FIELDS)]
    current: dict[tuple[int, str, str], dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(*columns).where(Item.organization_id.in_(chunk))).mappings():
            # items stored before figures were split off their text (注塑件（年采购约2000万元）) are found too
            current.setdefault((row["organization_id"], row["direction"], item_key(split_facts(row["text"])[0])),
                               dict(row))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    listed: set[int] = set()
    for org_id, item in wanted:
        values = {k: v for k, v in item.fields.items() if k in _ITEM_FIELDS}
        found = current.get((org_id, item.direction, item_key(item.text)))
        if found is None:
            row = {"organization_id": org_id, "direction": item.direction, "text": item.text, "kind": "product",
                   "quantity": None, "unit": "", "annual_value": None, "annual_value_text": "",
                   "certifications": "", "valid_until": None, "note": "", "origin": item.origin,
                   "status": item.status,
                   "confidence": None, "evidence": None, "source": _source_of(item, source)}
            row.update(values)
            inserts.append(row)
            continue
        if found["text"] != item.text and split_facts(found["text"])[1]:
            values["text"] = item.text
        if item.kind_guessed:  # a guess from a list cell never overrides a stored kind
            values.pop("kind", None)
        if found["origin"] == "inferred" or (found["origin"] == "scope" and item.origin == "declared"):
            # the organization now declares (or registered) what copark had inferred, or the file carries the
            # guess's review (an export with --include-inferred); declared stays declared
            values.update(origin=item.origin, status=item.status)
        values["withdrawn_at"] = None  # listed again
        listed.add(found["id"])
        changed = _changes(found, values)
        if changed:
            updates.append({"id": found["id"], **changed})
            report.items.updated += 1
        else:
            report.items.unchanged += 1
    if updates:
        session.execute(update(Item), updates)
    if inserts:
        listed.update(session.scalars(insert(Item).returning(Item.id), inserts).all())
        report.items.created += len(inserts)
    return listed
