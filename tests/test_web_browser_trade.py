"""Trade in Debian's chromium against a live `copark serve` over the demo (see test_web_browser): an anonymous buyer
fills the showcase inquiry form, is told what is missing, fixes it and sends it; the operator then sees the inquiry
with the buyer's contact; and the 分行业推介 print page with its download links."""

from __future__ import annotations

import re

import pytest

from test_web_browser import CHROMIUM_ARGS, browser, login, server, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_showcase_inquiry_with_an_error_then_seen_by_the_operator(server, browser) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, _ = server
    page = browser.new_context(locale="zh-CN").new_page()  # no login: the showcase is public
    page.goto(base + "/showcase?industry=29")
    expect(page.locator("h1")).to_contain_text("雨溆工业园 产品展厅")
    expect(page.locator(".demo-notice")).to_contain_text("示意性数据")
    card = page.locator(".product").first
    product = card.locator("h2").inner_text()
    shot(page, "30-showcase")
    card.locator("a.inquire").click()
    page.wait_for_url(re.compile(r"/showcase/\d+#inquiry$"))
    form = page.locator("#inquiry-form")
    form.locator("input[name=buyer_name]").fill("Anna Schmidt")
    form.locator("input[name=company]").fill("Filter GmbH")
    form.locator("input[name=country]").fill("德国")
    form.locator("input[name=quantity]").fill("2000 件")
    form.locator("textarea[name=message]").fill("请报 FOB 价")
    page.click("#inquiry-submit")  # the contact is missing
    problems = page.locator("#inquiry-problems")
    expect(problems).to_contain_text("联系方式（电话或邮箱）：此项必填")
    expect(form.locator("input[name=buyer_name]")).to_have_value("Anna Schmidt")  # nothing typed is lost
    shot(page, "31-inquiry-missing-contact")
    form.locator("input[name=contact]").fill("anna@filter.example")
    page.click("#inquiry-submit")
    expect(page.locator("#inquiry-sent")).to_contain_text("询价已提交")
    expect(page.locator("#inquiry-problems")).to_have_count(0)

    operator = login(browser, base, "demo-operator")
    operator.click("text=询盘")
    operator.wait_for_url(re.compile(r"/inquiries$"))
    row = operator.locator("#inquiries tbody tr").first
    expect(row).to_contain_text("Anna Schmidt")
    expect(row).to_contain_text(product)
    expect(row.locator(".contact")).to_have_text("anna@filter.example")
    expect(row).to_contain_text("新询盘")
    shot(operator, "32-inquiries")
    viewer = login(browser, base, "demo-viewer")
    viewer.goto(base + "/inquiries")
    expect(viewer.locator("#inquiries .contact").first).to_contain_text("a***@filter.example")


def test_brief_page_prints_the_brief_only(server, browser) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, _ = server
    page = login(browser, base, "demo-operator")
    page.click("text=分行业推介")
    page.select_option("select[name=chain]", "29")
    page.click("#brief-show")
    expect(page.locator("#brief h1")).to_contain_text("雨溆工业园 · 29 分行业推介")
    expect(page.locator("#brief .brief-notice").first).to_contain_text("示意性数据")
    expect(page.locator("#brief-opportunities tbody tr").first).to_be_visible()
    expect(page.locator("#brief-pdf")).to_have_attribute("href", "/brief.pdf?chain=29")
    shot(page, "33-brief")
    page.emulate_media(media="print")
    expect(page.locator("#brief-choose")).to_be_hidden()
    expect(page.locator("body > header")).to_be_hidden()
    expect(page.locator("#brief")).to_be_visible()
