"""The 补链 page, the 定位契合度 section of the project pages and their JSON, in-process: on the demo (SQLite) for
what they show, and on the small seed on SQLite and PostgreSQL for the role rules and bad input."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from copark import api
from copark.demo import DEMO_PASSWORD, create_demo_users, load_demo
from copark.storage.tables import Park
from copark.workspace import Workspace
from test_web_api import client
from web_seed import seed

GRAIN = "溆浦县禾丰粮油有限公司（虚构）"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(f"sqlite:///{tmp_path_factory.mktemp('webfit') / 'demo.sqlite'}")
    load_demo(workspace=workspace)
    create_demo_users(workspace=workspace)
    yield workspace
    workspace.close()


def _login(workspace: Workspace, username: str) -> TestClient:
    from copark.web.app import create_app

    c = TestClient(create_app(workspace))
    r = c.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def test_gaps_page_and_download_on_the_demo(demo: Workspace) -> None:
    c = _login(demo, "demo-operator")
    assert 'href="/gaps"' in c.get("/").text
    page = c.get("/gaps", params={"chain": "39"})
    assert page.status_code == 200
    html = page.text
    assert "补链分析" in html and "示意性数据" in html and 'data-node="PCBA"' in html
    row = re.search(r'<tr data-node="PCBA">.*?</tr>', html, re.S).group(0)
    assert row.index("长沙联芯电子科技有限公司（虚构）") < row.index("众华电子科技")  # ranked
    assert 'data-side="partner"' in row and "产业链" in row
    first = c.get("/gaps").text  # no chain chosen: the park's first declared chain
    assert 'value="29" selected' in first and 'data-node="聚醚多元醇"' in first
    book = c.get("/gaps.xlsx", params={"chain": "39"})
    assert book.status_code == 200 and book.content[:2] == b"PK"
    data = c.get("/api/gaps", params={"chain": "35", "top": 1}).json()
    (chain,) = data["chains"]
    node = next(n for n in chain["missing"] if n["name"] == "雾化器")
    assert [x["name"] for x in node["partner"]] == ["可孚医疗科技股份有限公司"] and node["partner"][0]["why"]
    bad = c.get("/gaps", params={"chain": "粮油"})
    assert bad.status_code == 400 and "主导产业中没有“粮油”" in bad.text
    assert c.get("/api/gaps", params={"top": 99}).status_code == 422


def test_project_pages_show_the_fit_and_flag_the_failed_firms(demo: Workspace) -> None:
    c = _login(demo, "demo-operator")
    grain = next(p.id for p in api.operations.list_projects(workspace=demo) if p.name == GRAIN)
    page = c.get(f"/projects/{grain}").text
    assert 'id="fit"' in page and "不契合 · 0分" in page and 'data-flag="off_positioning"' in page
    assert "不在主导产业" in page and "油菜籽" in page
    fit = c.get(f"/api/projects/{grain}/fit").json()
    assert fit["band"] == "poor" and {"off_positioning", "no_local_supplier", "no_local_customer"} <= {
        f["code"] for f in fit["flags"]}
    board = c.get("/projects").text
    card = re.search(rf'id="project-{grain}".*?</div>', board, re.S).group(0)
    assert 'data-fit="poor"' in card and "不在主导产业" in card
    assert 'data-fit="fit"' in board
    org = c.get("/api/fit", params={"org": "恒通海绵"}).json()
    assert org["positioning"] == "in" and org["organization_id"]


def test_organization_users_get_403_and_viewers_read(workspace: Workspace) -> None:
    s = seed(workspace)
    with workspace.transaction() as session:
        session.execute(update(Park).where(Park.id == s.park).values(positioning=["29"]))
    op, _ = client(workspace, "operator")
    report = op.get("/api/gaps").json()
    assert [c["label"] for c in report["chains"]] == ["29 橡胶和塑料制品业"]
    assert "过滤海绵" in [n["name"] for n in report["chains"][0]["covered"]]
    fit = op.get("/api/fit", params={"org": "乙海绵制品有限公司"}).json()
    assert fit["positioning"] == "in" and fit["park"] == "测试共建园"
    viewer, _ = client(workspace, "viewer")
    assert viewer.get("/gaps").status_code == 200
    ent, _ = client(workspace, "ent-a")
    for url in ("/gaps", "/api/gaps", "/gaps.xlsx", "/api/fit?org=乙海绵制品有限公司"):
        assert ent.get(url).status_code == 403, url
    assert 'href="/gaps"' not in ent.get("/orgs").text
    assert op.get("/api/fit", params={"org": "不存在的企业"}).status_code in (400, 404)
    with workspace.transaction() as session:
        session.execute(update(Park).where(Park.id == s.park).values(positioning=[]))
    empty = op.get("/gaps")
    assert empty.status_code == 400 and "没有声明主导产业" in empty.text
