"""The web app in-process (FastAPI TestClient) on SQLite and PostgreSQL: sessions, CSRF, tokens, 403 for every
resource type of another enterprise, bad input answered 4xx with nothing changed, text escaped."""

from __future__ import annotations

import re
import warnings

import pytest
from sqlalchemy import select

from copark import api
from copark.storage.tables import Item, User
from copark.workspace import Workspace
from web_seed import PASSWORD, Seed, seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def site(workspace: Workspace) -> tuple[Workspace, Seed]:
    return workspace, seed(workspace)


def client(workspace: Workspace, username: str | None = None) -> tuple[TestClient, str]:
    from copark.web.app import create_app

    c = TestClient(create_app(workspace))
    csrf = ""
    if username:
        r = c.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 303, r.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/orgs").text).group(1)
    return c, csrf


def item_text(workspace: Workspace, item_id: int) -> str:
    with workspace.transaction() as s:
        return s.get(Item, item_id).text


def test_session_cookie_is_httponly_samesite_and_replay_after_logout_fails(site) -> None:
    workspace, _ = site
    c, csrf = client(workspace)
    r = c.post("/login", data={"username": "ent-a", "password": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    stolen = c.cookies.get("copark_session")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/orgs").text).group(1)
    assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    replay, _ = client(workspace)
    replay.cookies.set("copark_session", stolen)
    assert replay.get("/api/me").status_code == 401
    r = replay.get("/orgs", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_wrong_password_and_rate_limit(site) -> None:
    workspace, _ = site
    c, _ = client(workspace)
    for _ in range(5):
        r = c.post("/login", data={"username": "ent-a", "password": "nope-nope"})
        assert r.status_code == 400 and "用户名或密码不正确" in r.text
    r = c.post("/login", data={"username": "ent-a", "password": PASSWORD})
    assert r.status_code == 429 and "登录失败次数过多" in r.text


def test_openapi_document(site) -> None:
    workspace, _ = site
    paths = client(workspace)[0].get("/openapi.json").json()["paths"]
    for path in ("/api/orgs", "/api/orgs/{org_id}", "/api/items/{item_id}", "/api/opportunities",
                 "/api/docking/{record_id}", "/api/docking/{record_id}/stage", "/api/match"):
        assert path in paths


def test_enterprise_gets_403_on_every_resource_type_of_another_enterprise(site) -> None:
    workspace, s = site
    with workspace.transaction() as session:
        from copark.services.access import Actor

        operator = Actor.of(session.scalar(select(User).where(User.username == "operator")))
    record_cb = api.push_opportunity(workspace=workspace, actor=operator, opportunity_id=s.opp_cb)
    c, csrf = client(workspace, "ent-a")
    headers = {"X-CSRF-Token": csrf}
    body = {"text": "改", "kind": "material"}
    checks = [
        c.get(f"/orgs/{s.b}"), c.get(f"/api/orgs/{s.b}"),
        c.patch(f"/api/orgs/{s.b}", json={"contact": "x"}, headers=headers),
        c.post(f"/api/orgs/{s.b}/items", json={**body, "direction": "need"}, headers=headers),
        c.post(f"/orgs/{s.b}/items", data={"csrf_token": csrf, "text": "改", "direction": "need"}),
        c.put(f"/api/items/{s.b_offer}", json=body, headers=headers),
        c.post(f"/items/{s.b_offer}", data={"csrf_token": csrf, "org_id": s.b, "text": "改"}),
        c.post(f"/api/items/{s.b_offer}/withdraw", headers=headers),
        c.get(f"/api/opportunities/{s.opp_cb}"),
        c.post(f"/api/opportunities/{s.opp_cb}/push", headers=headers),
        c.get(f"/docking/{record_cb}"), c.get(f"/api/docking/{record_cb}"),
        c.post(f"/api/docking/{record_cb}/interest", headers=headers),
    ]
    assert [r.status_code for r in checks] == [403] * len(checks), [(r.url, r.status_code) for r in checks]
    assert "无权" in checks[0].text and "无权" in checks[1].json()["error"]["what"]
    assert item_text(workspace, s.b_offer) == "过滤海绵"
    assert c.get("/api/orgs/999999").status_code == 404 and c.get("/orgs/999999").status_code == 404


def test_forged_or_missing_csrf_changes_nothing(site) -> None:
    workspace, s = site
    c, csrf = client(workspace, "ent-a")
    form = {"org_id": s.a, "text": "被篡改", "kind": "material"}
    for token in ("", "forged-token", csrf[:-1]):
        r = c.post(f"/items/{s.a_need}", data={**form, "csrf_token": token})
        assert r.status_code == 403 and "校验令牌" in r.text
    assert c.put(f"/api/items/{s.a_need}", json={"text": "被篡改"}).status_code == 403
    assert item_text(workspace, s.a_need) == "医用过滤海绵"
    r = c.post(f"/items/{s.a_need}", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and item_text(workspace, s.a_need) == "被篡改"


@pytest.mark.parametrize("form, status, message", [
    ({"text": ""}, 400, "此项必填"), ({"text": "x" * 201}, 400, "内容过长"), ({"text": "x" * 6000}, 422, "请求内容有误"),
    ({"text": "海绵", "quantity": "abc"}, 400, "不是有效的数量"), ({"text": "海绵", "kind": "rocket"}, 400, "不是可选的值"),
    ({"text": "海绵", "org_id": "not-a-number"}, 422, "请求内容有误"),
])
def test_bad_form_input_is_4xx_with_a_clear_message_and_changes_nothing(site, form, status, message) -> None:
    workspace, s = site
    c, csrf = client(workspace, "ent-a")
    r = c.post(f"/items/{s.a_need}", data={"org_id": s.a, "kind": "material", **form, "csrf_token": csrf})
    assert r.status_code == status and message in r.text and "处理办法" in r.text
    assert item_text(workspace, s.a_need) == "医用过滤海绵"


def test_bad_json_input_is_4xx(site) -> None:
    workspace, s = site
    token = api.create_token(workspace=workspace, username="ent-a")
    c, _ = client(workspace)
    auth = {"Authorization": f"Bearer {token}"}
    assert c.put(f"/api/items/{s.a_need}", json={"text": ""}, headers=auth).status_code == 422
    assert c.put(f"/api/items/{s.a_need}", json={"text": "a", "quantity": "many"}, headers=auth).status_code == 422
    assert c.put("/api/items/987654", json={"text": "a"}, headers=auth).status_code == 404
    assert c.get("/api/me", headers={"Authorization": "Bearer cpk_wrong"}).status_code == 401
    r = c.put(f"/api/items/{s.a_need}", json={"text": "海绵", "kind": "material"}, headers=auth)
    assert r.status_code == 204 and item_text(workspace, s.a_need) == "海绵"


def test_script_in_text_fields_is_escaped_on_every_page(site) -> None:
    workspace, s = site
    evil = "<script>alert('x')</script>"
    c, csrf = client(workspace, "operator")
    r = c.post(f"/items/{s.a_need}", data={"csrf_token": csrf, "org_id": s.a, "text": evil, "kind": "material",
                                            "note": evil}, follow_redirects=False)
    assert r.status_code == 303
    c.post(f"/orgs/{s.a}/profile", data={"csrf_token": csrf, "contact": evil, "description": evil})
    record = c.post(f"/opportunities/{s.opp_ab}/push", data={"csrf_token": csrf}, follow_redirects=False)
    pages = [c.get(f"/orgs/{s.a}").text, c.get("/opportunities").text, c.get(record.headers["location"]).text,
             c.get("/docking").text]
    for page in pages:
        assert evil not in page and "&lt;script&gt;" in page
    r = c.get("/orgs", params={"q": evil})
    assert evil not in r.text and "&lt;script&gt;" in r.text


def test_htmx_comes_from_npm_and_pages_work_without_it(site, tmp_path) -> None:
    from copark.web.app import DEFAULT_VENDOR, create_app

    workspace, _ = site
    c, _ = client(workspace, "viewer")
    assert (DEFAULT_VENDOR / "htmx.org" / "package.json").is_file(), "run make install (npm ci)"
    assert "/static/vendor/htmx/htmx.min.js" in c.get("/orgs").text
    assert c.get("/static/vendor/htmx/htmx.min.js").status_code == 200
    bare = TestClient(create_app(workspace, vendor_dir=tmp_path))
    bare.post("/login", data={"username": "viewer", "password": PASSWORD})
    page = bare.get("/orgs")
    assert page.status_code == 200 and "htmx" not in page.text.split("<body>")[0] and 'method="get"' in page.text
