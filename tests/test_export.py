"""import → export → import keeps every field of parks, organizations and declared items."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from copark.core.errors import CoparkError
from copark.io.exporter import export_workspace
from copark.io.importer import import_files
from copark.storage.tables import Item, Organization, Park
from copark.workspace import Workspace
from test_import import sample

ORG_FIELDS = ("name", "norm_name", "short_name", "kind", "credit_code", "region_code", "industry_code", "products",
              "description", "contact", "employees", "annual_revenue", "annual_revenue_text")
ITEM_FIELDS = ("direction", "kind", "text", "quantity", "unit", "annual_value", "annual_value_text",
               "certifications", "valid_until", "note", "origin")


def snapshot(workspace: Workspace) -> dict[str, object]:
    with workspace.transaction() as session:
        parks = {p.id: p.name for p in session.scalars(select(Park))}
        return {
            "parks": sorted((p.name, p.region_code, p.partner_region_code, p.founded, tuple(p.positioning),
                             p.description) for p in session.scalars(select(Park))),
            "orgs": sorted((*(getattr(o, f) if f != "products" else tuple(o.products) for f in ORG_FIELDS),
                            parks.get(o.park_id)) for o in session.scalars(select(Organization))),
            "items": sorted((o_name, *(getattr(i, f) for f in ITEM_FIELDS)) for i, o_name in session.execute(
                select(Item, Organization.name).join(Organization))),
        }


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_is_lossless(workspace: Workspace, tmp_path: Path, sqlite_url: str, suffix: str) -> None:
    import_files(workspace=workspace, paths=[sample(tmp_path / "a.xlsx")])
    original = snapshot(workspace)
    result = export_workspace(workspace=workspace, path=tmp_path / f"out{suffix}")
    assert (result.parks, result.orgs, result.items) == (1, 2, 6)
    fresh = Workspace(sqlite_url)
    try:
        import_files(workspace=fresh, paths=result.paths)
        assert snapshot(fresh) == original
    finally:
        fresh.close()
    # Importing the export into the database it came from changes nothing.
    again = import_files(workspace=workspace, paths=result.paths)
    assert (again.orgs.created, again.orgs.updated, again.items.created, again.items.updated) == (0, 0, 0, 0)
    assert snapshot(workspace) == original


def test_inferred_items_only_with_flag(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    import_files(workspace=sqlite_workspace, paths=[sample(tmp_path / "a.xlsx")])
    with sqlite_workspace.transaction() as session:
        org = session.scalars(select(Organization).where(Organization.kind == "bank")).one()
        session.add(Item(organization_id=org.id, direction="need", kind="service", text="征信数据服务",
                         origin="inferred", status="proposed", confidence=0.6))
    plain = export_workspace(workspace=sqlite_workspace, path=tmp_path / "plain.xlsx")
    full = export_workspace(workspace=sqlite_workspace, path=tmp_path / "full.xlsx", include_inferred=True)
    assert (plain.items, full.items) == (6, 7)
    texts = [row[3] for row in load_workbook(full.paths[0])["清单明细"].values]
    assert "征信数据服务" in texts
    assert "征信数据服务" not in [row[3] for row in load_workbook(plain.paths[0])["清单明细"].values]


def test_export_needs_a_known_suffix(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(CoparkError, match="不支持导出"):
        export_workspace(workspace=sqlite_workspace, path=tmp_path / "out.json")
