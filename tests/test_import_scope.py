"""经营范围 on the 企业 sheet: stored as the description, its objects imported as offers marked origin=scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from copark.io.exporter import export_workspace
from copark.io.importer import import_files
from copark.io.scope import scope_objects
from copark.storage.tables import Item, Organization
from copark.workspace import Workspace
from test_export import snapshot
from test_import import ITEM_HEADERS, ORG_HEADERS, book, item_row, org_row

SCOPE = ("金属结构、矿山机械、冶金专用设备的制造；机械零部件加工；钢材、化工产品（不含危险化学品）的销售；"
         "金属结构件设计服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动）")


def test_scope_objects_are_the_things_named() -> None:
    assert scope_objects(SCOPE) == ["金属结构", "矿山机械", "冶金专用设备", "机械零部件", "钢材", "化工产品",
                                    "金属结构件"]
    assert scope_objects("豆制品加工、销售") == ["豆制品"]
    assert scope_objects("销售：五金、建材；蔬菜种植及鱼类养殖") == ["五金", "建材", "蔬菜", "鱼类"]
    assert scope_objects("生产设备的销售") == ["生产设备"]  # 生产 belongs to the object here
    assert scope_objects("技术开发、技术咨询、技术服务；货物及技术进出口") == []
    assert scope_objects(None) == []


def test_scope_objects_reparse_to_themselves() -> None:
    objects = scope_objects(SCOPE)
    assert scope_objects("；".join(objects)) == objects


def _scope_book(path: Path, **cells: object) -> Path:
    return book(path, {"企业": [ORG_HEADERS, org_row("娄底市示例机械制造有限公司", scope=SCOPE, **cells)]})


def test_scope_is_description_and_offers(workspace: Workspace, tmp_path: Path) -> None:
    report = import_files(workspace=workspace, paths=[_scope_book(tmp_path / "a.xlsx")])
    assert report.items.created == 7
    with workspace.transaction() as session:
        org = session.scalars(select(Organization)).one()
        assert org.description == SCOPE
        items = session.scalars(select(Item).order_by(Item.id)).all()
        assert {(i.direction, i.origin) for i in items} == {("offer", "scope")}
        assert [i.text for i in items][:3] == ["金属结构", "矿山机械", "冶金专用设备"]
    again = import_files(workspace=workspace, paths=[_scope_book(tmp_path / "a.xlsx")])
    assert (again.items.created, again.items.updated, again.items.unchanged) == (0, 0, 7)


def test_own_description_wins_and_declared_beats_scope(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", {
        "企业": [ORG_HEADERS, org_row("娄底市示例机械制造有限公司", scope=SCOPE, description="矿山机械专业制造商")],
        "清单明细": [ITEM_HEADERS, item_row("娄底市示例机械制造有限公司", "资源", "矿山机械")],
    })
    import_files(workspace=sqlite_workspace, paths=[path])
    with sqlite_workspace.transaction() as session:
        assert session.scalars(select(Organization.description)).one() == "矿山机械专业制造商"
        origins = dict(session.execute(select(Item.text, Item.origin)).tuples().all())
    assert origins["矿山机械"] == "declared" and origins["钢材"] == "scope"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_scope_round_trip(sqlite_workspace: Workspace, tmp_path: Path, sqlite_url: str, suffix: str) -> None:
    import_files(workspace=sqlite_workspace, paths=[_scope_book(tmp_path / "a.xlsx")])
    original = snapshot(sqlite_workspace)
    result = export_workspace(workspace=sqlite_workspace, path=tmp_path / f"out{suffix}")
    assert result.items == 0  # scope items travel in the 经营范围 cell, not as 清单明细 rows
    again = import_files(workspace=sqlite_workspace, paths=result.paths)
    assert (again.orgs.updated, again.items.created, again.items.updated) == (0, 0, 0)
    fresh = Workspace(sqlite_url.replace("copark.sqlite", "fresh.sqlite"))
    try:
        import_files(workspace=fresh, paths=result.paths)
        assert snapshot(fresh) == original
    finally:
        fresh.close()


def test_same_short_name_different_codes_are_two_orgs(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    """安化县/嘉禾县祥泰种养专业合作社 normalise to one name, but their credit codes say they are two."""
    rows = [ORG_HEADERS, org_row("安化县祥泰种养专业合作社", credit_code="93430923MA4PTDLJXR"),
            org_row("嘉禾县祥泰种养专业合作社", credit_code="93431024MA4Q897F33")]
    path = book(tmp_path / "c.xlsx", {"企业": rows, "清单明细": [
        ITEM_HEADERS, item_row("嘉禾县祥泰种养专业合作社", "资源", "油茶")]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert report.orgs.created == 2
    again = import_files(workspace=sqlite_workspace, paths=[path])
    assert (again.orgs.created, again.orgs.updated, again.items.created) == (0, 0, 0)
    with sqlite_workspace.transaction() as session:
        owner = session.scalar(select(Organization.name).join(Item, Item.organization_id == Organization.id))
    assert owner == "嘉禾县祥泰种养专业合作社"
