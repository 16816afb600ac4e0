"""The public 产品展厅, its photos, the buyer inquiry form and export orders, in-process on SQLite and PostgreSQL:
what the public sees, CSRF and rate limit on the anonymous form, every bad field named with nothing stored, contacts
masked for those who do not answer the buyer, orders counted in the KPI 出口国家和地区."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, select

from copark import api
from copark.api import trade
from copark.services.inquiries import INQUIRY_LIMIT
from copark.storage.tables import ExportOrder, Inquiry, Item, OfferPhoto
from copark.workspace import Workspace
from test_web_api import client
from web_seed import Seed, seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
BUYER = {"buyer_name": "Anna Schmidt", "company": "Filter GmbH", "contact": "+49 30 1234 5678 anna@filter.example",
         "country": "德国", "quantity": "2000 件", "message": "请报 FOB 价"}


@pytest.fixture
def site(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, Seed, int]:
    """The web seed plus one product offer of 乙 (the park's host region), the showcase's only product."""
    workspace.files_root = tmp_path / "files"
    s = seed(workspace)
    with workspace.transaction() as session:
        item = Item(organization_id=s.b, direction="offer", kind="product", text="医用过滤海绵", origin="declared",
                    source="test", quantity=5000, unit="件/月")
        session.add(item)
        session.flush()
        return workspace, s, item.id


def _public(workspace: Workspace) -> TestClient:
    from copark.web.app import create_app

    return TestClient(create_app(workspace))


def _form(c: TestClient, item_id: int) -> str:
    page = c.get(f"/showcase/{item_id}")
    assert page.status_code == 200
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def _inquiries(workspace: Workspace) -> int:
    with workspace.transaction() as session:
        return session.scalar(select(func.count()).select_from(Inquiry))


def test_showcase_is_public_and_shows_only_the_parks_products(site) -> None:  # noqa: ANN001
    workspace, s, product = site
    c = _public(workspace)
    page = c.get("/showcase")
    assert page.status_code == 200 and "测试共建园 产品展厅" in page.text
    assert f'id="product-{product}"' in page.text and "乙海绵制品有限公司" in page.text
    # a material offer, another region's offer and needs are not products of the park
    assert "聚醚多元醇" not in page.text and ">过滤海绵</a>" not in page.text
    assert "13900001111" not in page.text  # no contacts in public
    data = c.get("/api/showcase").json()
    assert data["park"] == "测试共建园" and [p["item_id"] for p in data["products"]] == [product]
    assert c.get("/api/showcase", params={"industry": "3581"}).json()["products"] == []
    assert c.get("/showcase", params={"industry": "29"}).status_code == 200
    assert c.get(f"/showcase/{s.c_offer}").status_code == 404  # another region's offer is not on the showcase
    assert c.get(f"/showcase/{s.b_need}").status_code == 404


def test_photo_upload_checks_who_type_and_size(site) -> None:  # noqa: ANN001
    workspace, s, product = site
    b, csrf = client(workspace, "ent-b")

    def upload(who: TestClient, token: str, data: bytes, name: str = "p.png"):  # noqa: ANN202
        return who.post(f"/offers/{product}/photo", data={"csrf_token": token, "org_id": str(s.b)},
                        files={"file": (name, data, "image/png")}, follow_redirects=False)

    assert upload(b, csrf, b"<html>not an image</html>").status_code == 400
    assert upload(b, csrf, PNG + b"\0" * (5 << 20)).status_code == 400
    assert upload(b, "forged", PNG).status_code == 403
    a, a_csrf = client(workspace, "ent-a")
    assert upload(a, a_csrf, PNG).status_code == 403
    with workspace.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OfferPhoto)) == 0
    assert not (workspace.files_dir / "photos").exists() or not any((workspace.files_dir / "photos").iterdir())
    assert upload(b, csrf, PNG).status_code == 303
    operator, op_csrf = client(workspace, "operator")
    assert upload(operator, op_csrf, b"\xff\xd8\xff\xe0" + b"\0" * 32, "p.jpg").status_code == 303  # replaces it
    files = list((workspace.files_dir / "photos").iterdir())
    assert len(files) == 1 and files[0].suffix == ".jpg"  # the replaced file is gone
    public = _public(workspace)
    photo_id = public.get("/api/showcase").json()["products"][0]["photo_id"]
    shown = public.get(f"/showcase/photos/{photo_id}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert f'src="/showcase/photos/{photo_id}"' in public.get("/showcase").text
    assert public.get("/showcase/photos/999").status_code == 404
    # a need cannot get a showcase photo
    assert b.post(f"/offers/{s.b_need}/photo", data={"csrf_token": csrf, "org_id": str(s.b)},
                  files={"file": ("p.png", PNG, "image/png")}).status_code == 400


def test_inquiry_needs_the_visitor_token_and_names_every_bad_field(site) -> None:  # noqa: ANN001
    workspace, _, product = site
    c = _public(workspace)
    token = _form(c, product)
    assert c.cookies.get("copark_visitor")
    assert c.post(f"/showcase/{product}/inquiry", data={**BUYER, "form_token": "forged"}).status_code == 403
    stranger = _public(workspace)  # the token without the visitor cookie it was made for
    assert stranger.post(f"/showcase/{product}/inquiry", data={**BUYER, "form_token": token}).status_code == 403
    bad = c.post(f"/showcase/{product}/inquiry", data={**BUYER, "contact": "", "country": " ", "form_token": token})
    assert bad.status_code == 422
    assert "联系方式（电话或邮箱）：此项必填" in bad.text and "国家或地区：此项必填" in bad.text
    assert 'value="Anna Schmidt"' in bad.text  # what was typed stays in the form
    wrong = c.post(f"/showcase/{product}/inquiry", data={**BUYER, "contact": "call me", "form_token": token})
    assert wrong.status_code == 422 and "既不是电话号码也不是电子邮箱" in wrong.text
    assert _inquiries(workspace) == 0
    done = c.post(f"/showcase/{product}/inquiry", data={**BUYER, "form_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/showcase/{product}?sent=1")
    assert "询价已提交" in c.get(done.headers["location"]).text
    assert _inquiries(workspace) == 1


def test_inquiries_are_rate_limited_per_sender(site) -> None:  # noqa: ANN001
    workspace, _, product = site
    c = _public(workspace)
    token = _form(c, product)
    for _ in range(INQUIRY_LIMIT):
        assert c.post(f"/showcase/{product}/inquiry", data={**BUYER, "form_token": token},
                      follow_redirects=False).status_code == 303
    refused = c.post(f"/showcase/{product}/inquiry", data={**BUYER, "form_token": token})
    assert refused.status_code == 429 and "提交过于频繁" in refused.text
    assert _inquiries(workspace) == INQUIRY_LIMIT


def test_who_sees_an_inquiry_and_its_contact(site) -> None:  # noqa: ANN001
    workspace, _, product = site
    c = _public(workspace)
    c.post(f"/showcase/{product}/inquiry", data={**BUYER, "buyer_name": "<script>x</script>",
                                                 "form_token": _form(c, product)})
    contact = BUYER["contact"]
    for username in ("operator", "ent-b", "admin"):
        page = client(workspace, username)[0].get("/inquiries")
        assert page.status_code == 200 and contact in page.text, username
        assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x" not in page.text
    viewer = client(workspace, "viewer")[0]
    rows = viewer.get("/api/inquiries").json()
    assert rows[0]["contact"] == "+49 3* **** **78 a***@filter.example" and rows[0]["contact_masked"]
    assert contact not in viewer.get("/inquiries").text
    a = client(workspace, "ent-a")[0]
    assert a.get("/api/inquiries").json() == [] and contact not in a.get("/inquiries").text
    assert _public(workspace).get("/inquiries", follow_redirects=False).status_code == 303  # to the login page


def test_export_order_from_an_inquiry_counts_its_country(site) -> None:  # noqa: ANN001
    workspace, _, product = site
    c = _public(workspace)
    c.post(f"/showcase/{product}/inquiry", data={**BUYER, "country": "越南", "form_token": _form(c, product)})
    inquiry = trade.list_inquiries(workspace=workspace)[0]
    assert api.operations.headline(workspace=workspace).countries == 0
    operator, csrf = client(workspace, "operator")
    order = {"csrf_token": csrf, "organization": "乙海绵制品有限公司", "product": inquiry.product, "country": "越南",
             "amount": "50万", "ordered_on": "2024-06-30", "inquiry_id": str(inquiry.id)}
    bad = operator.post("/orders", data={**order, "organization": "丙新材料有限公司", "amount": "0"})
    assert bad.status_code == 422 and "不是测试共建园的园区企业" in bad.text and "金额应大于 0" in bad.text
    assert operator.post("/orders", data={**order, "ordered_on": "30/06"}).status_code == 400
    ent, ent_csrf = client(workspace, "ent-b")
    assert ent.post("/orders", data={**order, "csrf_token": ent_csrf}).status_code == 403
    with workspace.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ExportOrder)) == 0
    assert operator.post("/orders", data=order, follow_redirects=False).status_code == 303
    headline = api.operations.headline(workspace=workspace)
    assert headline.countries == 1 and headline.country_names == ["越南"]
    assert trade.list_inquiries(workspace=workspace)[0].status == "ordered"
    orders = operator.get("/api/orders").json()
    assert orders[0]["amount"] == 500000 and orders[0]["inquiry_id"] == inquiry.id
    assert "50万元" in operator.get("/inquiries").text
    # a status move by the producer; viewers cannot move it
    assert ent.post(f"/inquiries/{inquiry.id}/status", data={"csrf_token": ent_csrf, "status": "closed"},
                    follow_redirects=False).status_code == 303
    viewer, v_csrf = client(workspace, "viewer")
    assert viewer.post(f"/inquiries/{inquiry.id}/status", data={"csrf_token": v_csrf, "status": "new"}
                       ).status_code == 403
    assert ent.post(f"/inquiries/{inquiry.id}/status", data={"csrf_token": ent_csrf, "status": "gone"}
                    ).status_code == 400


def test_brief_pages_for_staff_only(site) -> None:  # noqa: ANN001
    workspace, _, _ = site
    operator, _ = client(workspace, "operator")
    page = operator.get("/brief", params={"industry": "2924"})
    assert page.status_code == 200 and "测试共建园 · 2924 泡沫塑料制造 分行业推介" in page.text
    assert "医用过滤海绵" in page.text and 'href="/brief.pdf?industry=2924"' in page.text
    xlsx = operator.get("/brief.xlsx", params={"industry": "2924"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert operator.get("/brief.docx", params={"industry": "2924"}).status_code == 400
    assert operator.get("/brief", params={"industry": "9999"}).status_code == 400
    assert client(workspace, "ent-b")[0].get("/brief", params={"industry": "2924"}).status_code == 403


def test_files_dir_lies_beside_a_sqlite_database(tmp_path: Path) -> None:
    ws = Workspace(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        assert ws.files_dir == (tmp_path / "x.sqlite.files").resolve()
    finally:
        ws.close()
