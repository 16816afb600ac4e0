"""The web workspace in Debian's chromium (Playwright with executable_path, no browser download), against a real
`copark serve` on a free localhost port over the demo database loaded by `copark demo`.

Each test stands alone (xdist may split them between workers; each worker starts its own server and database).
Screenshots of the main pages go to screenshots/ (git-ignored) for reviewers.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

import live_server
from copark.demo import DEMO_PASSWORD
from copark.services.access import Actor
from copark.storage.tables import Item, Opportunity, Organization, User
from copark.workspace import Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "screenshots"
CHROMIUM = os.environ.get("COPARK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUIKANG = "长沙瑞康医用耗材有限公司（虚构）"
HENGTONG = "湖南溆浦恒通海绵制品有限公司（虚构）"
COPARK = live_server.COPARK


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a live `copark serve` over a freshly loaded demo."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'demo.sqlite'}"
    demo = subprocess.run([COPARK, "-d", url, "demo", "--top", "1"], capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stderr
    assert "demo-operator" in demo.stdout and DEMO_PASSWORD in demo.stdout
    process, base = live_server.start(url)
    yield base, url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def login(browser, base: str, username: str):  # noqa: ANN001, ANN201
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_url(base + "/")
    return page


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _ids(db_url: str, *names: str) -> list[int]:
    ws = Workspace(db_url)
    try:
        with ws.transaction() as s:
            return [s.scalar(select(Organization.id).where(Organization.name == n)) for n in names]
    finally:
        ws.close()


def _csrf(page) -> str:  # noqa: ANN001
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def test_login_main_pages_and_demo_notice(server, browser) -> None:
    from playwright.sync_api import expect

    base, db_url = server
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(base + "/login")
    shot(page, "01-login")
    page.fill("input[name=username]", "demo-operator")
    page.fill("input[name=password]", "wrong-password")
    page.click("#login")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_url(base + "/")
    expect(page.locator(".who")).to_contain_text("园区运营人员")
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    page.goto(base + "/orgs")
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    shot(page, "02-orgs")
    # typing searches (400 ms after the last input) and the answer replaces #org-table and pushes the URL; clicking
    # the submit button as well sent a second search whose answer could replace the table under the click
    page.fill("input[name=q]", "kfyl")  # pinyin initials of 可孚医疗
    page.wait_for_url(re.compile(r"/orgs\?.*q=kfyl"))
    expect(page.locator("#org-table")).to_contain_text("可孚医疗科技股份有限公司")
    page.locator("#org-table").get_by_role("link", name="可孚医疗科技股份有限公司").click()
    page.wait_for_url(re.compile(r"/orgs/\d+"))
    expect(page.locator("h1")).to_contain_text("可孚医疗")
    expect(page.locator(".demo-notice")).to_be_visible()
    shot(page, "03-org-detail")
    for path, name in (("/opportunities", "04-opportunities"), ("/docking", "05-docking-board"),
                       ("/import", "06-import")):
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        shot(page, name)
    expect(page.locator(".demo-notice")).to_have_count(0)  # the import page shows no data
    page.click("#logout")
    page.wait_for_url(re.compile(r"/login$"))


def test_import_with_an_error_is_reported_row_by_row_and_nothing_is_written(server, browser, tmp_path) -> None:
    from openpyxl import Workbook
    from playwright.sync_api import expect

    base, db_url = server
    header = ["企业名称", "简称", "机构类型", "统一社会信用代码", "所在地区", "所属园区", "行业", "主营产品", "企业简介",
              "联系方式", "员工人数", "年营业收入", "资源清单", "需求清单"]
    book = Workbook()
    sheet = book.active
    sheet.title = "机构"
    sheet.append(header)
    sheet.append(["浏览器测试甲公司", "", "企业", "", "怀化市溆浦县", "", "2924", "海绵", "", "", "12", "", "", ""])
    sheet.append(["浏览器测试乙公司", "", "企业", "91430000ABCDEFGH12", "不存在的地区", "", "2924", "", "", "", "", "", "",
                  ""])
    bad = tmp_path / "清单-有错误.xlsx"
    book.save(bad)
    page = login(browser, base, "demo-operator")
    page.goto(base + "/import")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#check")
    report = page.locator("#report")
    expect(report).to_contain_text("发现")
    expect(report.locator(".problems li").first).to_contain_text("3")  # the bad row is named by its row number
    expect(report).to_contain_text("不存在的地区")
    expect(page.locator("#confirm")).to_have_count(0)
    shot(page, "07-import-report")
    page.goto(base + "/orgs?q=浏览器测试")
    expect(page.locator("#org-table")).to_contain_text("没有符合条件的机构")

    sheet.delete_rows(3)
    good = tmp_path / "清单.xlsx"
    book.save(good)
    page.goto(base + "/import")
    page.set_input_files("input[type=file]", str(good))
    page.click("#check")
    expect(page.locator("#report")).to_contain_text("检查通过")
    page.click("#confirm")
    expect(page.locator("#imported")).to_contain_text("导入完成：新增 1 个机构")
    page.goto(base + "/orgs?q=浏览器测试")
    expect(page.locator("#org-table")).to_contain_text("浏览器测试甲公司")


def test_enterprise_edits_a_demand_item_inline(server, browser) -> None:
    from playwright.sync_api import expect

    base, db_url = server
    [ruikang] = _ids(db_url, RUIKANG)
    page = login(browser, base, "demo-ruikang")
    page.goto(f"{base}/orgs/{ruikang}")
    row = page.locator("#needs tbody tr").first
    row.locator("summary").click()
    row.locator("input[name=quantity]").fill("")
    row.locator("input[name=quantity]").fill("abc")
    row.locator("button[type=submit]").first.click()
    expect(page.get_by_role("alert")).to_contain_text("不是有效的数量")
    page.goto(f"{base}/orgs/{ruikang}")
    row = page.locator("#needs tbody tr").first
    row.locator("summary").click()
    row.locator("input[name=quantity]").fill("123456")
    row.locator("input[name=unit]").fill("片")
    row.locator("input[name=note]").fill("浏览器测试修改")
    row.locator("button[type=submit]").first.click()
    expect(page.get_by_role("status")).to_contain_text("已保存")
    expect(page.locator("#needs tbody tr").first).to_contain_text("123456片")
    expect(page.locator("#needs tbody tr").first).to_contain_text("浏览器测试修改")
    shot(page, "08-org-edited")


def test_push_interest_from_both_sides_reveals_the_counterpart_then_sign(server, browser) -> None:
    from playwright.sync_api import expect

    base, _ = server
    operator = login(browser, base, "demo-operator")
    operator.goto(base + "/opportunities?kind=material")
    card = operator.locator("article.opportunity").filter(has_text="瑞康").filter(has_text="恒通海绵").first
    expect(card.locator(".why")).not_to_be_empty()
    card.locator("button.push").click()
    operator.wait_for_url(re.compile(r"/docking/\d+$"))
    record_url = operator.url
    expect(operator.locator("#stage")).to_have_text("已推送")

    ruikang = login(browser, base, "demo-ruikang")
    ruikang.goto(base + "/opportunities")
    expect(ruikang.locator("article.opportunity")).to_have_count(1)
    expect(ruikang.locator("article.opportunity .offer-org")).not_to_contain_text("恒通")
    expect(ruikang.locator("article.opportunity .offer-org")).to_contain_text("溆浦县")
    shot(ruikang, "09-opportunity-anonymised")
    ruikang.goto(record_url)
    expect(ruikang.locator(".offer-org")).not_to_contain_text("恒通")
    ruikang.click("#interest")
    expect(ruikang.locator(".offer-org")).not_to_contain_text("恒通")

    hengtong = login(browser, base, "demo-hengtong")
    hengtong.goto(record_url)
    expect(hengtong.locator(".need-org")).not_to_contain_text("瑞康")
    hengtong.click("#interest")
    expect(hengtong.locator("#revealed")).to_be_visible()
    expect(hengtong.locator(".need-org")).to_have_text(RUIKANG)
    ruikang.reload()
    expect(ruikang.locator(".offer-org")).to_have_text(HENGTONG)
    expect(ruikang.locator("#stage")).to_have_text("意向")
    shot(ruikang, "10-record-revealed")

    operator.goto(record_url)
    operator.select_option("#move select[name=stage]", "negotiating")
    operator.click("#move button[type=submit]")
    expect(operator.locator("#stage")).to_have_text("洽谈")
    operator.select_option("#move select[name=stage]", "signed")
    operator.click("#move button[type=submit]")
    expect(operator.get_by_role("alert")).to_contain_text("合同年金额")
    operator.goto(record_url)
    expect(operator.locator("#stage")).to_have_text("洽谈")
    operator.select_option("#move select[name=stage]", "signed")
    operator.fill("#move input[name=contract_value]", "1200000")
    operator.fill("#move input[name=contract_note]", "年度供货协议")
    operator.click("#move button[type=submit]")
    expect(operator.locator("#stage")).to_have_text("签约")
    expect(operator.locator("#contract")).to_contain_text("1,200,000")
    expect(operator.locator(".history li")).to_have_count(7)  # 推荐, 已推送, two interests, 意向, 洽谈, 签约
    shot(operator, "11-record-signed")
    operator.goto(base + "/docking")
    expect(operator.locator("#col-signed .record")).to_have_count(1)
    shot(operator, "12-docking-board")


def test_enterprise_gets_403_on_another_enterprises_pages_and_api(server, browser) -> None:
    from copark import api

    base, db_url = server
    ruikang, hengtong = _ids(db_url, RUIKANG, HENGTONG)
    ws = Workspace(db_url)
    try:
        with ws.transaction() as s:
            other_item = s.scalar(select(Item.id).where(Item.organization_id == hengtong).limit(1))
            other_opp = s.scalar(select(Opportunity.id).where(
                Opportunity.need_org_id != ruikang, Opportunity.offer_org_id != ruikang).order_by(Opportunity.id))
            op = Actor.of(s.scalar(select(User).where(User.username == "demo-operator")))
        other_record = api.push_opportunity(workspace=ws, actor=op, opportunity_id=other_opp)
    finally:
        ws.close()
    page = login(browser, base, "demo-ruikang")
    for path in (f"/orgs/{hengtong}", f"/docking/{other_record}"):
        response = page.goto(base + path)
        assert response.status == 403
        assert "无权" in page.locator(".what").inner_text()
    shot(page, "13-forbidden")
    csrf = _csrf(page)
    request = page.request
    headers = {"X-CSRF-Token": csrf}
    answers = {
        "org": request.get(f"{base}/api/orgs/{hengtong}"),
        "org-edit": request.patch(f"{base}/api/orgs/{hengtong}", data={"contact": "x"}, headers=headers),
        "item": request.put(f"{base}/api/items/{other_item}", data={"text": "改"}, headers=headers),
        "item-add": request.post(f"{base}/api/orgs/{hengtong}/items", data={"text": "改", "direction": "need"},
                                 headers=headers),
        "opportunity": request.get(f"{base}/api/opportunities/{other_opp}"),
        "docking": request.get(f"{base}/api/docking/{other_record}"),
        "docking-interest": request.post(f"{base}/api/docking/{other_record}/interest", headers=headers),
    }
    assert {k: r.status for k, r in answers.items()} == dict.fromkeys(answers, 403)
    assert request.get(f"{base}/api/orgs/{ruikang}").status == 200


def test_dashboard_charts_and_tables(server, browser) -> None:
    from playwright.sync_api import expect

    base, _ = server
    page = login(browser, base, "demo-operator")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("首页")
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    for chart in ("by-region", "by-industry", "open-by-stage", "signed-by-month"):
        panel = page.locator(f"#panel-{chart}")
        expect(panel.locator("table.figures")).to_be_visible()
        if chart != "signed-by-month" or panel.locator("[data-chart]").count():
            expect(panel.locator("[data-chart][data-drawn='1'] canvas")).to_have_count(1)
    expect(page.locator("#table-by-region")).to_contain_text("溆浦县")
    expect(page.locator("#kpi-enterprises strong")).not_to_have_text("0")
    shot(page, "14-dashboard")
    # ECharts draws on canvas; the CSP (script-src 'self') blocks nothing it needs. One inline style write of
    # zrender's is refused by style-src 'self' without visible effect, so only script violations and errors count.
    assert not [e for e in errors if "script-src" in e or "Uncaught" in e or "echarts" in e.lower()], errors


def test_dashboard_and_chain_work_without_javascript(server, browser) -> None:
    from playwright.sync_api import expect

    base, _ = server
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", "demo-viewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_url(base + "/")
    expect(page.locator("#table-open-by-stage tbody tr")).to_have_count(6)
    expect(page.locator("canvas")).to_have_count(0)
    page.goto(base + "/chain?q=制氧机")
    expect(page.locator("#chain-table tbody tr").first).to_contain_text("制氧机")
    expect(page.locator(".demo-notice")).to_be_visible()


def test_chain_map_graph_coloured_by_the_park_pairing(server, browser) -> None:
    from playwright.sync_api import expect

    base, _ = server
    page = login(browser, base, "demo-operator")
    page.click("header nav >> text=产业链")
    page.wait_for_url(re.compile(r"/chain$"))
    expect(page.locator(".demo-notice")).to_have_count(0)  # nothing shown yet
    page.fill("input[name=q]", "制氧机")
    page.click("#chain-form button[type=submit]")
    page.wait_for_url(re.compile(r"/chain\?"))
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    expect(page.locator("#chain-park")).to_contain_text("雨溆工业园")
    expect(page.locator(".chart-graph[data-drawn='1'] canvas")).to_have_count(1)
    table = page.locator("#chain-table")
    expect(table.locator("tbody tr").first).to_contain_text("制氧机")
    for presence in ("both", "park", "partner", "none"):
        assert table.locator(f"tr[data-presence={presence}]").count() > 0, presence
    expect(table.locator("tr[data-presence=both]").first).to_contain_text("两地都有")
    page.wait_for_timeout(1500)  # let the force layout settle before the screenshot (not an assertion)
    shot(page, "15-chain-map")
    page.fill("input[name=q]", "<script>不存在</script>")
    page.click("#chain-form button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("<script>不存在</script>")  # shown as text, escaped
