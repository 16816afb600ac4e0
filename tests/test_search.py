"""The 企业 free-text search (services.search) against the rule it implements, written out in Python here: the same
organizations on SQLite (FTS5 trigram tables, vocabulary expansion of short words, the scan fallback) and on
PostgreSQL (pg_trgm, the scan), and the indexes following every change to the lists."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from copark import api
from copark.parsing.names import simplify
from copark.services import search
from copark.services.directory import search as directory
from copark.services.items import now
from copark.services.organizations import find_organization
from copark.storage.tables import Item, Organization
from copark.workspace import Workspace

ORGS = [  # name, short name, description, products, listed item texts, withdrawn item texts
    ("甲医疗器械有限公司", "甲医疗", "生产医用耗材", ["医用敷料", "PCB板"], ["医用过滤海绵", "注塑件"], ["铝合金型材"]),
    ("乙海绵制品有限公司", "", "", ["过滤海绵"], ["过滤海绵", "聚醚多元醇"], []),
    ("丙新材料有限公司", "丙材", "环氧树脂、玻璃纤维", [], ["聚醚多元醇", "泵"], ["过滤海绵"]),
    ("Acme Pump 有限公司", "ACME", "pumps & valves 100% made", ["Valve_X", 'say "hi"'], ["pc"], []),
    ("长沙恒通电子科技有限公司", "恒通", "", ["电源模块"], ["连接器", "传感器"], []),
]
QUERIES = ["海绵", "过滤海绵", "绵", "泵", "pc", "PCB", "pcb板", "医", "医用", "医用敷料", "敷料", "hths", "ylq", "ylqx",
           "jy", "y", "恒通", "csht", "ACME", "acme pump", "Pump 有", "100%", "_", "Valve_X", '"hi"', "e_x", "型材",
           "铝合金", "不存在的产品", "甲乙", "有限公司", "限公", "司", "玻璃纤维", "、", "過濾海綿", "ＰＣＢ", " 海绵 "]


def _seed(workspace: Workspace) -> dict[str, int]:
    ids = {}
    with workspace.transaction() as s:
        for name, short, description, products, listed, withdrawn in ORGS:
            org = Organization(name=name, norm_name=name, short_name=short, description=description,
                               products=products, source="test")
            s.add(org)
            s.flush()
            ids[name] = org.id
            for i, item in enumerate(listed + withdrawn):
                s.add(Item(organization_id=org.id, direction="offer" if i % 2 else "need", text=item,
                           origin="declared", withdrawn_at=now() if item in withdrawn else None))
    return ids


def expected(workspace: Workspace, typed: str) -> list[int]:
    """The rule, by reading every organization in Python."""
    word, initials = simplify(typed).strip().lower(), typed.strip().lower()
    out = []
    with workspace.transaction() as s:
        for org in s.scalars(select(Organization).order_by(Organization.id)):
            texts = [org.name, org.short_name, org.description, *map(str, org.products or []),
                     *(i.text for i in org.items if i.withdrawn_at is None)]
            named = any(word in (t or "").lower() for t in texts)
            spelled = initials.isascii() and initials.isalpha() and initials in (org.name_initials or "")
            if named or spelled:
                out.append(org.id)
    return out


def found(workspace: Workspace, typed: str, **kw) -> list[int]:  # noqa: ANN003
    with workspace.transaction() as s:
        return [r.id for r in directory(session=s, text=typed, **kw).rows]


def test_search_follows_the_rule_on_each_backend(workspace: Workspace) -> None:
    _seed(workspace)
    for query in QUERIES:
        assert found(workspace, query) == expected(workspace, query), query
    a, b, c, acme, hengtong = (found(workspace, n)[0] for n in ("甲医疗器械", "乙海绵制品", "丙新材料", "Acme", "长沙恒通"))
    assert found(workspace, "绵") == [a, b]  # one character, the last of 医用过滤海绵 and of 过滤海绵
    assert found(workspace, "泵") == [c]  # a one-character item
    assert found(workspace, "pc") == [a, acme]  # two letters: PCB板 (products) and the item pc
    assert found(workspace, "ylqx") == [a]  # pinyin initials of 甲医疗器械…: jylqx…
    assert found(workspace, "csht") == [hengtong]  # 长沙恒通: initials only, not text
    assert found(workspace, "型材") == []  # 铝合金型材 was withdrawn
    assert found(workspace, "100%") == [acme] and found(workspace, "_") == [acme]  # typed wildcards are literal
    assert found(workspace, "過濾海綿") == [a, b]  # traditional characters are simplified first


def test_search_strategies_agree_on_sqlite(sqlite_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The FTS5 path, the scan it falls back to for common short words, and narrow windows: one answer."""
    _seed(sqlite_workspace)
    want = {q: expected(sqlite_workspace, q) for q in QUERIES}
    monkeypatch.setattr(search, "WINDOW", 1)  # every id its own window, then 4, 16 …
    assert {q: found(sqlite_workspace, q) for q in QUERIES} == want
    monkeypatch.setattr(search, "TERMS_MAX", 0)  # every one- or two-character word scans
    assert {q: found(sqlite_workspace, q) for q in QUERIES} == want
    with sqlite_workspace.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM item_fts")).scalar() == sum(len(o[4]) for o in ORGS)


def test_search_index_follows_edits_withdrawals_and_deletes(workspace: Workspace) -> None:
    ids = _seed(workspace)
    a, b = ids["甲医疗器械有限公司"], ids["乙海绵制品有限公司"]
    assert found(workspace, "注塑件") == [a]
    with workspace.transaction() as s:
        s.execute(update(Item).where(Item.text == "注塑件").values(withdrawn_at=now()))
    assert found(workspace, "注塑件") == [] and found(workspace, "注塑") == []
    with workspace.transaction() as s:  # listed again
        s.execute(update(Item).where(Item.text == "注塑件").values(withdrawn_at=None))
    assert found(workspace, "注塑件") == [a]
    with workspace.transaction() as s:
        s.execute(update(Item).where(Item.text == "注塑件").values(text="吹塑件"))
    assert found(workspace, "注塑件") == [] and found(workspace, "吹塑") == [a]
    with workspace.transaction() as s:
        s.execute(delete(Item).where(Item.text == "吹塑件"))
        s.get(Organization, b).products = ["硅胶垫"]
        s.get(Organization, b).description = "模切加工"
    assert found(workspace, "吹塑") == [] and found(workspace, "硅胶垫") == [b] and found(workspace, "模切") == [b]
    with workspace.transaction() as s:
        s.delete(s.get(Organization, b))
    assert found(workspace, "硅胶垫") == [] and found(workspace, "过滤海绵") == [a]
    for query in QUERIES:
        assert found(workspace, query) == expected(workspace, query), query


def test_search_counts_up_to_the_cap_and_pages_by_id(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(workspace)
    everyone = expected(workspace, "有限公司")
    assert len(everyone) == 5
    with workspace.transaction() as s:
        page = directory(session=s, text="有限公司", limit=2)
        assert ([r.id for r in page.rows], page.total, page.capped) == (everyone[:2], 5, False)
        later = directory(session=s, text="有限公司", limit=2, after=everyone[1])
        assert [r.id for r in later.rows] == everyone[2:4] and later.total == 5
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr("copark.services.directory.COUNT_CAP", 3)
    monkeypatch.setattr(search, "WINDOW", 2)
    with workspace.transaction() as s:
        page = directory(session=s, text="有限公司", limit=2)
        assert ([r.id for r in page.rows], page.total, page.capped) == (everyone[:2], 3, True)
        assert [r.id for r in directory(session=s, text="有限公司", limit=10, after=everyone[0]).rows] == everyone[1:]
    listed = api.list_organizations(workspace=workspace, search="有限公司")
    assert listed.total == 3 and listed.total_capped and len(listed.rows) == 5


def test_find_organization_ignores_case_on_each_backend(workspace: Workspace) -> None:
    ids = _seed(workspace)
    with workspace.transaction() as s:
        assert find_organization(session=s, ref="acme pump").id == ids["Acme Pump 有限公司"]
        assert find_organization(session=s, ref="ACME PUMP 有限").id == ids["Acme Pump 有限公司"]
