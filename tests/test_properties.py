"""Property-based tests (hypothesis) of the parsers, and a fuzz test of the importer over generated malformed
workbooks and CSVs: each input imports exactly what it says or is refused with a located message, and a refused
import leaves the database as it was. The number of generated inputs is fixed by the settings below (README)."""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from copark.core.errors import CoparkError
from copark.io.importer import import_files
from copark.parsing.credit_code import CHARSET, check_character, validate_credit_code
from copark.parsing.names import normalize_name, to_simplified
from copark.parsing.numbers import parse_amount
from copark.parsing.regions import builtin_regions
from copark.storage.tables import Item, Organization
from copark.workspace import Workspace

PARSER_EXAMPLES = 200
FUZZ_EXAMPLES = 60  # each one an import into a real SQLite file


# ---- amounts and units --------------------------------------------------------------------------------------
@settings(max_examples=PARSER_EXAMPLES)
@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(["元", "万元", "亿元"]))
def test_an_amount_with_its_unit_is_the_number_times_the_unit(n: int, unit: str) -> None:
    factor = {"元": 1, "万元": 1e4, "亿元": 1e8}[unit]
    assert parse_amount(f"{n}{unit}") == pytest.approx(n * factor)
    assert parse_amount(str(n), unit=unit) == pytest.approx(n * factor)  # a header unit
    assert parse_amount(f"{n}万元", unit=unit) == pytest.approx(n * 1e4)  # the cell's own unit wins
    assert parse_amount(f"{n:,}") == pytest.approx(n)


@settings(max_examples=PARSER_EXAMPLES)
@given(st.text(alphabet="年采购约为计划左右的预算", max_size=6), st.integers(min_value=1, max_value=99999))
def test_an_amount_inside_words_is_found(words: str, n: int) -> None:
    from copark.io.listcells import read_facts, split_facts

    text = f"注塑件（{words}{n}万元）"
    assert read_facts(text).annual_value == pytest.approx(n * 1e4)
    assert split_facts(text) == ("注塑件", f"{words}{n}万元")


@settings(max_examples=PARSER_EXAMPLES)
@given(st.text(max_size=12))
def test_parse_amount_returns_a_number_or_a_message(text: str) -> None:
    try:
        value = parse_amount(text)
    except CoparkError as error:
        assert "金额" in str(error)
    else:
        assert value is None or value >= 0 or "-" in text


# ---- credit codes ---------------------------------------------------------------------------------------------
@settings(max_examples=PARSER_EXAMPLES)
@given(st.text(alphabet=CHARSET, min_size=17, max_size=17), st.sampled_from(CHARSET))
def test_exactly_one_check_character_is_valid(first17: str, last: str) -> None:
    good = first17 + check_character(first17)
    assert validate_credit_code(f" {good.lower()} ") == good
    if last != good[-1]:
        with pytest.raises(CoparkError, match="校验位"):
            validate_credit_code(first17 + last)


# ---- regions ----------------------------------------------------------------------------------------------------
_HUNAN = sorted(c for c, r in builtin_regions().by_code.items() if c.startswith("43") and r.level == 2)


@settings(max_examples=PARSER_EXAMPLES)
@given(st.sampled_from(_HUNAN), st.sampled_from(["", "卢峰镇", "同升街道", "工业园区", "经开区"]),
       st.booleans(), st.booleans())
def test_a_county_is_found_however_it_is_written(code: str, locality: str, full: bool, as_float: bool) -> None:
    regions = builtin_regions()
    assert regions.resolve(f"{code}.0" if as_float else code).code == code
    name = regions.full_name(code) if full else regions.full_name(code)[3:]  # 湖南省怀化市溆浦县 / 怀化市溆浦县
    assert regions.resolve(name + locality).code == code


# ---- names ------------------------------------------------------------------------------------------------------
@settings(max_examples=PARSER_EXAMPLES)
@given(st.text(alphabet="仁和康祥泰舒小福医用材料科技电子", min_size=2, max_size=6),
       st.sampled_from(["有限公司", "股份有限公司", "专业合作社", "厂"]), st.sampled_from(["", "湖南", "湖南省"]))
def test_a_name_keys_the_same_in_every_spelling(core: str, form: str, province: str) -> None:
    words = builtin_regions().words()
    key = normalize_name(core + form, words)
    assert normalize_name(province + core + form, words) == key
    assert normalize_name(f" {core}（长沙）{form} ", words) == key
    assert to_simplified(key) == key


# ---- the importer over malformed inputs ---------------------------------------------------------------------------
_CELLS = st.one_of(
    st.none(), st.integers(min_value=-5, max_value=10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["长沙", "朝阳区", "431224.0", "溆浦县卢峰镇", "火星市", "3.5亿", "很多", "2000万元", "abc",
                     "91430111MA4L0A2B3M", "91430111MA4L0A2B3X", "C3581", "9999", "电子信息", "银行", "不明",
                     "注塑件（年采购约2000万元）；钢材", '"', "\n", "2025-13-40", "需求", "资源", "求购"]),
    st.text(alphabet=string.ascii_letters + "甲乙丙丁公司、；\"'\t,", max_size=8),
)
_HEADERS = ["企业名称", "所在地区", "统一社会信用代码", "年营业收入（万元）", "行业", "需求清单", "员工人数", "联系人",
            "联系电话", "备注", "求购", "机构类型"]


def _state(workspace: Workspace) -> tuple:
    with workspace.transaction() as session:
        orgs = session.execute(select(Organization.name, Organization.region_code, Organization.annual_revenue)
                               .order_by(Organization.id)).all()
        return tuple(orgs), session.scalar(select(func.count()).select_from(Item))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])
@given(headers=st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=6, unique=True),
       rows=st.lists(st.lists(_CELLS, min_size=0, max_size=7), max_size=5), as_csv=st.booleans())
def test_fuzz_import_is_exact_or_refused_with_a_place(tmp_path: Path, sqlite_workspace: Workspace,
                                                     headers: list[str], rows: list[list[object]], as_csv: bool) -> None:
    rows = [["甲公司"], *rows]  # something already stored that a refusal must leave alone
    if as_csv:
        path = tmp_path / "fuzz.csv"
        buffer = io.StringIO()
        csv.writer(buffer).writerows([headers, *[["" if c is None else c for c in r] for r in rows]])
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        path = tmp_path / "fuzz.xlsx"
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "企业"
        sheet.append(headers)
        for row in rows:
            sheet.append([c if not isinstance(c, str) else c.replace("\x00", "") for c in row])
        workbook.save(path)
    before = _state(sqlite_workspace)
    try:
        report = import_files(workspace=sqlite_workspace, paths=[path])
    except CoparkError as error:
        message = str(error)
        problems = getattr(error, "problems", None) or [error.problem]
        for problem in problems:
            assert str(problem).startswith(path.name), message  # located: file (/sheet)/row/column
            assert problem.fix, message  # and says how to fix it
        assert _state(sqlite_workspace) == before
        return
    after = _state(sqlite_workspace)
    assert report.orgs.created + report.orgs.updated + report.orgs.unchanged >= 1
    assert len(after[0]) >= len(before[0])
