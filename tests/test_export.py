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


def test_inferred_items_round_trip_as_guesses_with_their_review(tmp_path: Path, sqlite_url: str) -> None:
    """export --include-inferred → import keeps machine guesses as guesses and dismissed ones dismissed (the
    trial's 80 declared needs became 148 declared needs after such a round trip)."""
    from typer.testing import CliRunner

    from copark.cli.main import app

    def cli(url: str, *args: str) -> str:
        result = CliRunner().invoke(app, ["--database", url, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    def items(url: str) -> list[tuple[str, str, str, str | None]]:
        ws = Workspace(url)
        try:
            with ws.transaction() as session:
                return sorted((i.direction, i.text, i.origin, i.status) for i in session.scalars(select(Item)))
        finally:
            ws.close()

    cli(sqlite_url, "import", str(sample(tmp_path / "a.xlsx")))
    cli(sqlite_url, "infer", "舒小福")
    inferred = [i for i in items(sqlite_url) if i[2] == "inferred"]
    assert len(inferred) >= 3
    ws = Workspace(sqlite_url)
    with ws.transaction() as session:
        ids = sorted(session.scalars(select(Item.id).where(Item.origin == "inferred")))
    ws.close()
    cli(sqlite_url, "infer", "舒小福", "--dismiss", str(ids[0]), "--accept", str(ids[1]))
    original = items(sqlite_url)
    assert {"proposed", "accepted", "dismissed"} <= {i[3] for i in original}

    for suffix in (".xlsx", ".csv"):
        out = tmp_path / f"全部{suffix}"
        cli(sqlite_url, "export", str(out), "--include-inferred")
        paths = [out] if suffix == ".xlsx" else sorted(tmp_path.glob("全部_*.csv"))
        fresh = f"sqlite:///{tmp_path / f'fresh{suffix}.sqlite'}"
        cli(fresh, "import", *map(str, paths))
        assert items(fresh) == original, suffix
        again = cli(sqlite_url, "import", *map(str, paths))  # into the database it came from: nothing changes
        assert items(sqlite_url) == original
        assert "│ 清单条目 │    0 │    0 │" in again


def test_status_without_inferred_origin_is_a_located_problem(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from test_import import ITEM_HEADERS, book, item_row, problems_of

    import_files(workspace=sqlite_workspace, paths=[sample(tmp_path / "a.xlsx")])
    bad = book(tmp_path / "bad.xlsx", {"清单明细": [
        ITEM_HEADERS,
        item_row("舒小福新材料科技", "需求", "涤纶短纤", status="已忽略"),
        item_row("舒小福新材料科技", "需求", "胶粘剂", origin="猜的"),
    ]})
    with pytest.raises(CoparkError) as error:
        import_files(workspace=sqlite_workspace, paths=[bad])
    found = problems_of(error)
    assert any("bad.xlsx/清单明细/第2行/推断状态" in p and "只适用于条目来源为“系统推断”" in p for p in found), found
    assert any("第3行/条目来源" in p and "无法识别条目来源“猜的”" in p and "企业填报" in p for p in found), found
