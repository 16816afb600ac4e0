"""首页 figures and the 产业链 map: hand-checked on the small seeded workspace (tests/web_seed.py), through the
public API, the REST endpoints and the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import warnings

import pytest
from sqlalchemy import select

from copark import api
from copark.core.errors import CoparkError
from copark.services.access import Actor
from copark.services.items import now
from copark.storage.tables import Item, Organization, User
from copark.workspace import Workspace
from web_seed import PASSWORD, Seed, seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EVIL = "<script>alert('x')</script>"


@pytest.fixture
def site(workspace: Workspace) -> tuple[Workspace, Seed]:
    return workspace, seed(workspace)


def actor(workspace: Workspace, username: str) -> Actor:
    with workspace.transaction() as s:
        return Actor.of(s.scalar(select(User).where(User.username == username)))


def client(workspace: Workspace, username: str) -> TestClient:
    from copark.web.app import create_app

    c = TestClient(create_app(workspace))
    r = c.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    return c


def work_the_opportunities(workspace: Workspace, s: Seed) -> int:
    """A←B pushed; A←C pushed and moved on to 签约 at 1,200,000 a year; C→B marked not relevant; a bank added
    (not an enterprise). Returns the signed record's id."""
    operator = actor(workspace, "operator")
    admin = actor(workspace, "admin")
    api.push_opportunity(workspace=workspace, actor=operator, opportunity_id=s.opp_ab)
    record = api.push_opportunity(workspace=workspace, actor=admin, opportunity_id=s.opp_ac)
    for stage in ("interest", "negotiating"):
        api.move_docking_record(workspace=workspace, actor=admin, record_id=record, stage=stage)
    api.move_docking_record(workspace=workspace, actor=admin, record_id=record, stage="signed",
                            contract_value=1_200_000, contract_note="年度供货")
    api.dismiss_opportunity(workspace=workspace, actor=admin, opportunity_id=s.opp_cb, reason="产品不对口")
    with workspace.transaction() as session:
        session.add(Organization(name="丁银行雨花支行", norm_name="丁银行雨花支行", kind="bank", region_code="430111",
                                 industry_code="6621", products=[], source="test"))
    return record


def figures(rows: list) -> dict[str, float]:
    return {f.key: f.value for f in rows}


def test_dashboard_figures_hand_checked(site) -> None:
    workspace, s = site
    work_the_opportunities(workspace, s)
    d = api.dashboard(workspace=workspace, actor=actor(workspace, "admin"))
    assert d.year == now().year and d.enterprises == 3  # the bank is not an enterprise
    assert figures(d.by_region) == {"430111": 1, "431224": 1, "440305": 1}
    assert [f.label for f in d.by_region][0] == "湖南省长沙市雨花区"
    assert figures(d.by_industry) == {"29": 2, "35": 1}
    assert figures(d.open_by_stage) == {"recommended": 0, "pushed": 1, "interest": 0, "negotiating": 0,
                                        "signed": 1, "delivering": 0}
    assert d.open_total == 2
    assert d.signed_count == 1 and d.signed_value == 1_200_000
    month = f"{now().year}-{now().month:02d}"
    assert figures(d.signed_by_month) == {f"{now().year}-{m:02d}": (1_200_000 if f"{now().year}-{m:02d}" == month
                                                                    else 0) for m in range(1, 13)}
    assert d.demo is False
    last_year = api.dashboard(workspace=workspace, actor=actor(workspace, "admin"), year=now().year - 1)
    assert last_year.signed_count == 0 and last_year.signed_value == 0 and last_year.open_total == 2


def test_dashboard_is_scoped_to_what_the_actor_may_see(site) -> None:
    workspace, s = site
    work_the_opportunities(workspace, s)
    operator = api.dashboard(workspace=workspace, actor=actor(workspace, "operator"))  # the park: A and B
    assert operator.enterprises == 2 and figures(operator.by_region) == {"430111": 1, "431224": 1}
    assert operator.open_total == 2 and operator.signed_value == 1_200_000
    ent_c = api.dashboard(workspace=workspace, actor=actor(workspace, "ent-c"))  # C: A←C signed, C→B dismissed
    assert ent_c.enterprises == 1 and figures(ent_c.by_region) == {"440305": 1}
    assert figures(ent_c.open_by_stage)["signed"] == 1 and ent_c.open_total == 1
    ent_b = api.dashboard(workspace=workspace, actor=actor(workspace, "ent-b"))  # B: A←B pushed
    assert figures(ent_b.open_by_stage)["pushed"] == 1 and ent_b.open_total == 1 and ent_b.signed_value == 0
    # Before anything is pushed, an enterprise user counts no opportunity (they are not shown to it yet).
    assert api.dashboard(workspace=workspace, actor=actor(workspace, "viewer")).open_total == 2


def test_dashboard_counts_unworked_opportunities_as_recommended(site) -> None:
    workspace, s = site
    d = api.dashboard(workspace=workspace)
    assert figures(d.open_by_stage)["recommended"] == 3 and d.open_total == 3 and d.signed_count == 0
    assert api.dashboard(workspace=workspace, actor=actor(workspace, "ent-a")).open_total == 0


def test_dashboard_api_and_page(site) -> None:
    workspace, s = site
    work_the_opportunities(workspace, s)
    c = client(workspace, "viewer")
    body = c.get("/api/dashboard").json()
    assert body["enterprises"] == 3 and body["signed_value"] == 1_200_000 and body["open_total"] == 2
    assert {f["key"]: f["value"] for f in body["open_by_stage"]}["pushed"] == 1
    assert c.get("/api/dashboard", params={"year": 1900}).status_code == 422
    assert c.get("/api/dashboard", params={"year": "abc"}).status_code == 422
    with pytest.raises(CoparkError, match="年份"):
        api.dashboard(workspace=workspace, year=1900)
    page = c.get("/")
    assert page.status_code == 200
    html = page.text
    assert "/static/vendor/echarts/echarts.min.js" in html and 'data-chart="bar"' in html
    region_table = html[html.index('id="table-by-region"'):]
    region_table = region_table[:region_table.index("</table>")]
    assert re.search(r"湖南省长沙市雨花区</td><td class=\"num\">1<", region_table)
    assert "1,200,000" in html  # the signed value, in the KPI and the month table
    assert "示意性数据" not in html  # no demo data in this workspace
    assert "api/dashboard" in str(c.get("/openapi.json").json()["paths"])
    assert TestClient(c.app).get("/", follow_redirects=False).headers["location"] == "/login"


def test_charts_come_from_npm_and_pages_work_without_them(site, tmp_path) -> None:
    from copark.web.app import DEFAULT_VENDOR, create_app

    workspace, s = site
    assert (DEFAULT_VENDOR / "echarts" / "package.json").is_file(), "run make install (npm ci)"
    c = client(workspace, "admin")
    assert c.get("/static/vendor/echarts/echarts.min.js").status_code == 200
    assert c.get("/static/app/charts.js").status_code == 200
    bare = TestClient(create_app(workspace, vendor_dir=tmp_path))
    bare.post("/login", data={"username": "admin", "password": PASSWORD})
    for path in ("/", "/chain?q=过滤海绵"):
        page = bare.get(path)
        assert page.status_code == 200 and "echarts" not in page.text and "<table" in page.text


def add_offers(workspace: Workspace, s: Seed) -> None:
    """Give the chain of 过滤海绵 one node of each colour: the root made in both regions (B in the park's 溆浦县,
    A in the partner 雨花区), TDI in the partner region only, 匀泡剂 in the park's region only, 聚醚多元醇 only
    elsewhere (C, 深圳)."""
    with workspace.transaction() as session:
        for org, text in ((s.a, "过滤海绵"), (s.a, "TDI"), (s.b, "匀泡剂")):
            session.add(Item(organization_id=org, direction="offer", kind="material", text=text, origin="declared",
                             source="test"))


def test_chain_map_colours_nodes_by_the_park_pairing(site) -> None:
    workspace, s = site
    add_offers(workspace, s)
    chain = api.chain_map(workspace=workspace, query="过滤海绵", depth=2)
    assert (chain.park_id, chain.park_region, chain.partner_region) == (s.park, "湖南省怀化市溆浦县", "湖南省长沙市雨花区")
    nodes = {n.name: n for n in chain.nodes}
    assert nodes["过滤海绵"].direction == "root"
    got = {name: (nodes[name].presence, nodes[name].park_orgs, nodes[name].partner_orgs, nodes[name].other_orgs)
           for name in ("过滤海绵", "TDI", "匀泡剂", "聚醚多元醇", "发泡机")}
    assert got == {"过滤海绵": ("both", 1, 1, 0), "TDI": ("partner", 0, 1, 0), "匀泡剂": ("park", 1, 0, 0),
                   "聚醚多元醇": ("none", 0, 0, 1), "发泡机": ("none", 0, 0, 0)}
    assert nodes["过滤海绵"].presence_label == "两地都有" and nodes["TDI"].presence_label == "仅结对地区有"
    assert sorted(nodes["过滤海绵"].organizations) == ["乙海绵制品有限公司", "甲医疗器械有限公司"]
    # Links run from supplier to user: 聚氨酯海绵 feeds 过滤海绵, TDI feeds 聚氨酯海绵.
    links = {(chain.nodes[link.source].name, chain.nodes[link.target].name) for link in chain.links}
    assert ("聚氨酯海绵", "过滤海绵") in links and ("TDI", "聚氨酯海绵") in links
    assert len({n.name for n in chain.nodes}) == len(chain.nodes)


def test_chain_map_hides_names_an_enterprise_user_may_not_see(site) -> None:
    workspace, s = site
    add_offers(workspace, s)
    chain = api.chain_map(workspace=workspace, actor=actor(workspace, "ent-a"), query="过滤海绵")
    root = next(n for n in chain.nodes if n.name == "过滤海绵")
    assert root.organizations == ["甲医疗器械有限公司"] and root.hidden_orgs == 1 and root.presence == "both"
    c = client(workspace, "ent-a")
    body = c.get("/api/chain", params={"q": "过滤海绵"}).json()
    assert "乙海绵制品有限公司" not in str(body) and "丙新材料有限公司" not in str(body)
    page = c.get("/chain", params={"q": "过滤海绵"}).text
    assert "乙海绵制品有限公司" not in page and "另有 1 个机构" in page


def test_chain_page_api_and_bad_input(site) -> None:
    workspace, s = site
    add_offers(workspace, s)
    with workspace.transaction() as session:
        session.get(Organization, s.c).name = EVIL
    c = client(workspace, "admin")
    page = c.get("/chain", params={"q": "过滤海绵", "depth": 2})
    assert page.status_code == 200
    html = page.text
    assert 'data-presence="both"' in html and 'data-presence="partner"' in html and 'data-presence="park"' in html
    assert 'id="chain-data"' in html and "两地都有" in html
    assert EVIL not in html and "&lt;script&gt;" in html  # the table escapes it; the JSON block has \u003c
    assert "</script>\"" not in html and "\\u003cscript\\u003e" in html
    assert c.get("/chain").status_code == 200 and "输入产品名称" in c.get("/chain").text
    unknown = c.get("/chain", params={"q": EVIL})
    assert unknown.status_code == 400 and EVIL not in unknown.text and "找不到" in unknown.text
    assert c.get("/chain", params={"q": "海绵", "depth": 9}).status_code == 422
    assert c.get("/chain", params={"q": "x" * 101}).status_code == 422
    assert c.get("/chain", params={"q": "海绵", "park": 999}).status_code == 404
    assert c.get("/api/chain", params={"q": "海绵", "park": "abc"}).status_code == 422
    assert c.get("/api/chain", params={"q": "不存在的东西甲乙丙"}).status_code == 400
    assert c.get("/api/chain").status_code == 422
    body = c.get("/api/chain", params={"q": "过滤海绵", "park": s.park}).json()
    assert {n["name"]: n["presence"] for n in body["nodes"]}["TDI"] == "partner"
    with pytest.raises(CoparkError, match="请填写"):
        api.chain_map(workspace=workspace, query="  ")


def test_directory_search_runs_in_sql_with_keyset_pages(site) -> None:
    workspace, s = site
    with workspace.transaction() as session:
        session.get(Organization, s.c).products = ["PCB板", "聚醚"]
        initials = session.get(Organization, s.a).name_initials
    assert initials == "jylqxyxgs"  # 甲医疗器械有限公司, stored on insert
    ids = lambda **kw: [r.id for r in api.list_organizations(workspace=workspace, **kw).rows]  # noqa: E731
    assert ids(search="jylq") == [s.a]  # pinyin initials
    assert ids(search="pcb") == [s.c] and ids(search="PCB板") == [s.c]  # products (JSON), case-insensitive
    assert ids(search="过滤海绵") == [s.a, s.b]  # A needs 医用过滤海绵, B offers 过滤海绵
    assert ids(search="100%") == [] and ids(search="_") == []  # typed wildcards are literal
    assert ids(industry="29") == [s.b, s.c] and ids(industry="C29") == [s.b, s.c] and ids(industry="不存在行业") == []
    first = api.list_organizations(workspace=workspace, limit=2)
    assert [r.id for r in first.rows] == [s.a, s.b] and first.total == 3 and first.next_after == s.b
    second = api.list_organizations(workspace=workspace, limit=2, after=first.next_after)
    assert [r.id for r in second.rows] == [s.c] and second.total == 3 and second.next_after is None
    c = client(workspace, "admin")
    assert c.get("/api/orgs", params={"limit": 2, "after": s.b}).json()["rows"][0]["id"] == s.c
    assert c.get("/api/orgs", params={"after": -1}).status_code == 422


def test_chain_map_follows_the_lists_through_its_cache(site) -> None:
    """The organizations at each node are cached per lists_version: a withdrawal or a new offer shows at once."""
    from sqlalchemy import update

    workspace, s = site
    root = lambda: api.chain_map(workspace=workspace, query="过滤海绵").nodes[0]  # noqa: E731
    assert "乙海绵制品有限公司" in root().organizations
    assert root().organizations == root().organizations  # the second read comes from the cache
    with workspace.transaction() as session:
        session.execute(update(Item).where(Item.id == s.b_offer).values(withdrawn_at=now()))
    assert "乙海绵制品有限公司" not in root().organizations
    with workspace.transaction() as session:
        session.add(Item(organization_id=s.c, direction="offer", kind="material", text="过滤海绵", origin="declared"))
    assert "丙新材料有限公司" in root().organizations
