"""Property tests for what people type: credit codes, amounts, regions, list cells."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copark.core.errors import CoparkError
from copark.core.vocab import ItemKind
from copark.io.listcells import guess_kind, read_facts, split_list
from copark.parsing.credit_code import CHARSET, check_character, validate_credit_code
from copark.parsing.numbers import parse_amount
from copark.parsing.regions import builtin_regions, short_name

bodies = st.text(alphabet=CHARSET, min_size=17, max_size=17)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(bodies)
def test_any_valid_credit_code_passes(body: str) -> None:
    code = body + check_character(body)
    assert validate_credit_code(code) == code
    assert validate_credit_code(" " + full_width(code).lower() + " ") == code


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET))
def test_any_single_character_change_fails(body: str, position: int, replacement: str) -> None:
    code = body + check_character(body)
    if code[position] == replacement:
        replacement = CHARSET[(CHARSET.index(replacement) + 1) % len(CHARSET)]
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(CoparkError):
        validate_credit_code(changed)


def test_credit_code_with_forbidden_letter_is_rejected() -> None:
    with pytest.raises(CoparkError, match="非法字符"):
        validate_credit_code("91430111MA4L0A2B3I")


amounts = st.one_of(
    st.integers(min_value=0, max_value=10**7),
    st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False),
)


@given(amounts)
def test_wan_and_yi_multiply(n) -> None:  # noqa: ANN001
    text = str(n)
    assert parse_amount(f"{text}万") == pytest.approx(float(n) * 1e4)
    assert parse_amount(f"{text}亿") == pytest.approx(float(n) * 1e8)
    assert parse_amount(f"{text}万元") == pytest.approx(float(n) * 1e4)


@given(amounts, st.sampled_from(["", "万", "亿", "万元", "元"]))
def test_full_width_digits_equal_half_width(n, unit: str) -> None:  # noqa: ANN001
    text = f"{n}{unit}"
    assert parse_amount(full_width(text)) == parse_amount(text)


@given(st.integers(min_value=1, max_value=99999))
def test_amount_inside_item_text_is_read_and_text_kept(n: int) -> None:
    facts = read_facts(f"医用级过滤棉（年采购约{n}万元）")
    assert facts.annual_value == pytest.approx(n * 1e4)
    assert facts.annual_value_text == f"{n}万元"


def test_quantity_inside_item_text() -> None:
    facts = read_facts("无纺布 年需求500吨")
    assert (facts.quantity, facts.unit, facts.annual_value) == (500, "吨", None)
    assert read_facts("口罩10万只").quantity == 1e5
    assert read_facts("包装印刷").annual_value is None


REGIONS = builtin_regions()


@settings(max_examples=50)
@given(st.sampled_from(sorted(REGIONS.by_code)))
def test_full_name_short_name_and_code_resolve_alike(code: str) -> None:
    record = REGIONS.by_code[code]
    assert REGIONS.resolve(code).code == code
    assert REGIONS.resolve(REGIONS.full_name(code)).code == code
    short = short_name(record.name)
    if sum(short_name(r.name) == short or r.name == short for r in REGIONS.by_code.values()) == 1:
        assert REGIONS.resolve(short).code == code


def test_reference_pair_resolves_every_way() -> None:
    for code, words in {"430111": ["雨花区", "长沙市雨花区", "湖南省长沙市雨花区", "长沙雨花"],
                        "431224": ["溆浦县", "溆浦", "怀化市溆浦县", "怀化溆浦"]}.items():
        assert {REGIONS.resolve(w).code for w in words} == {code}


pieces = st.lists(st.text(alphabet="过滤棉无纺布医用海绵电路板ABC123", min_size=1, max_size=8), min_size=1, max_size=6)


@given(pieces, st.lists(st.sampled_from(["、", "；", ";", "\n", "\r\n"]), min_size=6, max_size=6))
def test_list_cells_split_on_every_separator(items: list[str], separators: list[str]) -> None:
    cell = "".join(piece + separators[i] for i, piece in enumerate(items))
    assert split_list(cell) == items


def test_list_cells_do_not_split_inside_brackets() -> None:
    assert split_list("医用级过滤棉（规格A、B；年采购约2000万元）、无纺布\n包装印刷") == [
        "医用级过滤棉（规格A、B；年采购约2000万元）", "无纺布", "包装印刷"]


@pytest.mark.parametrize(("text", "kind"), [
    ("技改贷款", ItemKind.finance), ("数控操作工培训", ItemKind.talent), ("医用敷料代工", ItemKind.processing),
    ("OEM贴牌", ItemKind.processing), ("无菌包装技术", ItemKind.technology), ("东南亚出口渠道", ItemKind.channel),
    ("标准厂房2000平方米", ItemKind.facility), ("冷链物流", ItemKind.service), ("电子元器件", ItemKind.material),
    ("医用海绵", ItemKind.product),
    # a sentence is judged by what it names, not its purpose; farm film is no plot of land
    ("木托盘、木箱包装，出口用", ItemKind.product), ("PE塑料薄膜、农用地膜采购", ItemKind.material),
    ("园区二期用地", ItemKind.facility),
    # in a sentence a space is sought only when a phrase names it last: 厂房屋面 is where the thing goes
    ("防水卷材，厂房屋面约3000平方", ItemKind.product), ("想租标准厂房，2000平方左右", ItemKind.facility),
    ("冷库不够用，想找冷链仓储", ItemKind.facility),
])
def test_kind_keywords(text: str, kind: ItemKind) -> None:
    assert guess_kind(text) is kind
