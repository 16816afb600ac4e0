"""Park operations in Debian's chromium against a live `copark serve` over the demo (see test_web_browser): the
project board's move action, and the figures page with a record import that has an error."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook

from test_web_browser import browser, login, server, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_project_board_move(server, browser) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, _ = server
    page = login(browser, base, "demo-operator")
    page.click("text=招商项目")
    page.wait_for_url(re.compile(r"/projects$"))
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    card = page.locator("#col-signed .project").first
    card_id = card.get_attribute("id")
    name = card.locator("a").inner_text()
    shot(page, "20-project-board")
    card.locator("select[name=stage]").select_option("construction")
    card.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects"))
    expect(page.locator(f"#col-construction #{card_id}")).to_contain_text(name.split(" ", 1)[1])
    expect(page.locator(f"#col-signed #{card_id}")).to_have_count(0)
    # terminating without a reason is refused with where and how to fix
    moved = page.locator(f"#{card_id}")
    moved.locator("select[name=stage]").select_option("terminated")
    moved.locator("button[type=submit]").click()
    expect(page.locator(".error")).to_contain_text("终止原因")
    shot(page, "21-project-move-refused")


def test_kpi_page_and_import_with_an_error(server, browser, tmp_path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, _ = server
    page = login(browser, base, "demo-operator")
    page.goto(base + "/kpi")
    expect(page.locator("#kpi-signed")).to_have_text("33个")
    expect(page.locator("#kpi-operating")).to_have_text("18个")
    expect(page.locator("#kpi-revenue")).to_have_text("42.95亿元")
    expect(page.locator("#kpi-tax")).to_have_text("2.42亿元")
    expect(page.locator("#kpi-credit")).to_contain_text("3.5亿元")
    expect(page.locator("#kpi-countries")).to_have_text("32个")
    expect(page.locator(".demo-notice")).to_be_visible()
    shot(page, "22-kpi")
    book = Workbook()
    sheet = book.active
    sheet.title = "经营数据"
    sheet.append(["企业名称", "期间", "主营收入（万元）", "税收（万元）"])
    sheet.append(["湖南溆浦恒通海绵制品有限公司（虚构）", "2024-07", 500, 20])
    sheet.append(["不存在的企业（虚构）", "2024-07", 500, 20])
    path = tmp_path / "经营数据-有错误.xlsx"
    book.save(path)
    page.set_input_files("#record-import input[type=file]", str(path))
    page.click("#import-records")
    report = page.locator("#report")
    expect(report).to_contain_text("未写入任何数据")
    expect(report.locator(".problems li").first).to_contain_text("第3行/企业名称")
    expect(report).to_contain_text("不存在的企业")
    expect(page.locator("#kpi-revenue")).to_have_text("42.95亿元")  # nothing was written
    shot(page, "23-kpi-import-error")


def test_gaps_page_and_a_flagged_project(server, browser) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, _ = server
    page = login(browser, base, "demo-operator")
    page.click("nav >> text=补链")
    page.wait_for_url(re.compile(r"/gaps$"))
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    page.select_option("#gaps-form select[name=chain]", "39")
    page.click("#gaps-form button[type=submit]")
    row = page.locator('tr[data-node="PCBA"]')
    expect(row.locator('li[data-side="partner"]').first).to_contain_text("长沙联芯电子科技有限公司（虚构）")
    shot(page, "23-gaps")
    page.goto(base + "/projects")
    grain = page.locator(".project", has_text="溆浦县禾丰粮油有限公司（虚构）")
    expect(grain.locator("[data-fit]")).to_have_attribute("data-fit", "poor")
    grain.locator("a").first.click()
    expect(page.locator("#fit-flags")).to_contain_text("不在主导产业")
    shot(page, "24-project-fit")
