"""清单导入: check a workbook row by row, import it, write the template, export the lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copark.core.errors import CoparkError, Problem, ValidationFailed
from copark.locale import t
from copark.services.access import Actor, Forbidden
from copark.workspace import Workspace


@dataclass
class WorkbookCheck:
    """What an import of the files would do, without writing: rows read, row-level problems, what it holds."""

    rows_read: int = 0
    organizations: int = 0
    items: int = 0
    parks: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _require_staff(actor: Actor) -> None:
    if not actor.can_review:
        raise Forbidden(t("web.error.reviewers_only"), t("web.error.forbidden.fix"))


def check_workbook(*, workspace: Workspace, actor: Actor | None = None, paths: Sequence[Path]) -> WorkbookCheck:
    """Validate the files the way `import` does (the same readers and validator) and write nothing."""
    from copark.io.importer import _stored_orgs
    from copark.io.readers import read_file
    from copark.io.validate import Validator
    from copark.knowledge.industries import load_industries

    _require_staff(actor or Actor.local())
    check = WorkbookCheck()
    sheets = []
    for path in paths:
        sheets.extend(read_file(Path(path), check.problems, check.warnings, None))
    if not check.problems and not any(s.rows for s in sheets):
        check.problems.append(Problem("", t("import.no_data"), t("import.no_data.fix")))
    if check.problems:
        return check
    with workspace.transaction() as session:
        validator = Validator(regions=workspace.regions, industries=load_industries(session),
                              stored=_stored_orgs(session))
        batch = validator.run(sheets, None)
    check.rows_read = batch.rows_read
    check.problems = batch.problems
    check.parks, check.organizations, check.items = len(batch.parks), len(batch.orgs), len(batch.items)
    return check


def import_workbook(*, workspace: Workspace, actor: Actor | None = None, paths: Sequence[Path],
                    skip_bad_rows: bool = False, rejects_path: Path | None = None, source: str | None = None,
                    sync: bool = False, progress=None, on_wait=None):  # noqa: ANN001, ANN201 - ImportReport
    """Import the files in one transaction (io.importer.import_files); any problem writes nothing."""
    from copark.io.importer import import_files
    from copark.services import audit

    actor = actor or Actor.local()
    _require_staff(actor)
    report = import_files(workspace=workspace, paths=paths, skip_bad_rows=skip_bad_rows, rejects_path=rejects_path,
                          source=source, progress=progress, sync=sync, on_wait=on_wait)
    if actor.user_id is not None:
        with workspace.transaction() as session:
            audit.record(session, actor, "import", "organization", None, files=report.files,
                         organizations=report.orgs.created + report.orgs.updated,
                         items=report.items.created + report.items.updated)
    return report


def write_template(*, path: Path, force: bool = False) -> Path:
    from copark.io.template import write_template as write

    return write(path, force=force)


def export_lists(*, workspace: Workspace, actor: Actor | None = None, path: Path, include_inferred: bool = False):  # noqa: ANN201
    """Export the lists in the import layouts; contacts masked for every reader but an administrator.

    Organization users keep their own lists on their pages: the whole-workspace export is for staff and viewers.
    """
    from copark.io.exporter import export_workspace
    from copark.services.access import mask_contact

    actor = actor or Actor.local()
    if actor.is_org_user:
        raise Forbidden(t("web.error.staff_only"), t("web.error.forbidden.fix"))
    contact = None if actor.role == "admin" else (lambda org: mask_contact(org.contact))
    return export_workspace(workspace=workspace, path=path, include_inferred=include_inferred, contact=contact)


__all__ = ["CoparkError", "ValidationFailed", "WorkbookCheck", "check_workbook", "export_lists", "import_workbook",
           "write_template"]
