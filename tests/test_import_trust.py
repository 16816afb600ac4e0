"""Issue 9, part A: what people wrote is read as they meant it (regions, units, amounts, identity, columns, files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from copark.core.errors import ValidationFailed
from copark.io.importer import import_files
from copark.storage.tables import Organization
from copark.workspace import Workspace
from test_import import ORG_HEADERS, book, counts, org_row, problems_of


def _orgs(workspace: Workspace, *columns: object) -> list[tuple]:
    with workspace.transaction() as session:
        return [tuple(r) for r in session.execute(select(*columns).order_by(Organization.id))]


# ---- item 5: regions ---------------------------------------------------------------------------------------
def test_region_spellings_resolve_as_meant(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("企业名称,所在地区\n甲公司,长沙\n乙公司,溆浦县卢峰镇\n丙公司,长沙市雨花区同升街道\n"
                    "丁公司,湖南省怀化市溆浦县工业园区\n戊公司,431224.0\n", encoding="utf-8")
    import_files(workspace=sqlite_workspace, paths=[path])
    assert _orgs(sqlite_workspace, Organization.name, Organization.region_code) == [
        ("甲公司", "430100"), ("乙公司", "431224"), ("丙公司", "430111"), ("丁公司", "431224"), ("戊公司", "431224")]


def test_ambiguous_region_is_refused_with_candidates(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "a.xlsx", {"企业": [ORG_HEADERS, org_row("甲公司", region="朝阳区")]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    (problem,) = problems_of(error)
    assert problem.startswith("a.xlsx/企业/第2行/所在地区") and "北京市朝阳区" in problem and "长春市朝阳区" in problem
    assert counts(sqlite_workspace) == (0, 0, 0)
