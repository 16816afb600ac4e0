"""The built-in region table (regions.csv) and name resolution against it."""

from __future__ import annotations

import csv
import math

import pytest

from conftest import SHARED_DATA, requires_shared
from copark.core.errors import CoparkError
from copark.parsing.regions import builtin_regions

DIVISIONS = SHARED_DATA / "admin_divisions" / "cn_divisions_level3_coords.csv"
MAX_COORD_DELTA = 0.3  # degrees; the table gives county seats approximately


def _reference() -> dict[str, list[dict[str, str]]]:
    """Rows by 6-digit code; 香港/澳门 repeat one code at levels 0, 1 and 2."""
    out: dict[str, list[dict[str, str]]] = {}
    with open(DIVISIONS, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["code12"][:6], []).append(row)
    return out


def test_table_shape() -> None:
    regions = builtin_regions()
    records = list(regions.by_code.values())
    provinces = [r for r in records if r.level == 0]
    hunan_cities = [r for r in records if r.level == 1 and r.parent_code == "430000"]
    hunan_counties = [r for r in records if r.level == 2 and r.code.startswith("43")]
    assert len(provinces) == 34
    assert len(hunan_cities) == 14
    assert len(hunan_counties) == 122
    assert len([r for r in records if r.level == 2]) > 2800  # every county of China, so 朝阳区 is seen to be two
    for record in records:
        if record.code.startswith("43") or record.level == 0:
            assert record.longitude is not None and record.latitude is not None, record
        if record.level:
            parent = regions.by_code[record.parent_code or ""]
            # a municipality's districts (北京市朝阳区) hang off the province: 北京市 names one region, not two
            assert parent.level == record.level - 1 or (record.level == 2 and parent.level == 0), record
            assert record.code.startswith(parent.code[: 2 * (parent.level + 1)]), record


def test_reference_case_rows_keep_their_values() -> None:
    regions = builtin_regions()
    yuhua, xupu = regions.by_code["430111"], regions.by_code["431224"]
    assert (yuhua.name, yuhua.longitude, yuhua.latitude) == ("雨花区", 113.038, 28.136)
    assert (xupu.name, xupu.longitude, xupu.latitude) == ("溆浦县", 110.595, 27.908)
    assert regions.full_name("430111") == "湖南省长沙市雨花区"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("溆浦县", "431224"), ("溆浦", "431224"), ("怀化市溆浦县", "431224"), ("湖南省怀化市溆浦县", "431224"),
        ("怀化溆浦", "431224"), ("431224", "431224"), ("长沙市雨花区", "430111"), ("雨花区", "430111"),
        ("430111", "430111"), ("长沙市", "430100"), ("怀化市", "431200"), ("湖南省", "430000"),
        ("湘西土家族苗族自治州", "433100"), ("靖州苗族侗族自治县", "431229"), ("广东省", "440000"),
        ("香港特别行政区", "810000"), ("长沙市浏阳市", "430181"), (" 鹤城区 ", "431202"),
    ],
)
def test_resolve(text: str, code: str) -> None:
    assert builtin_regions().resolve(text).code == code


@pytest.mark.parametrize("text", ["火星市", "999999", "怀化市雨花区", ""])
def test_resolve_unknown_raises(text: str) -> None:
    with pytest.raises(CoparkError):
        builtin_regions().resolve(text)


@requires_shared
def test_every_row_matches_public_divisions() -> None:
    reference = _reference()
    problems = []
    for record in builtin_regions().by_code.values():
        rows = reference.get(record.code)
        if not rows:
            problems.append(f"{record.code} {record.name}: code not in reference")
            continue
        ref = next((row for row in rows if int(row["level"]) == record.level), rows[0])
        if ref["name"] != record.name:
            problems.append(f"{record.code}: name {record.name} != {ref['name']}")
        if int(ref["level"]) != record.level:
            problems.append(f"{record.code} {record.name}: level {record.level} != {ref['level']}")
        lon, lat = float(ref["longitude"]), float(ref["latitude"])
        if not (record.code.startswith("43") or record.level == 0):
            continue  # outside Hunan only codes and names are shipped
        assert record.longitude is not None and record.latitude is not None
        delta = math.hypot(record.longitude - lon, record.latitude - lat)
        if delta > MAX_COORD_DELTA:
            problems.append(f"{record.code} {record.name}: ({record.longitude},{record.latitude}) off by {delta:.2f}°")
    assert not problems, "\n".join(problems)


@requires_shared
def test_all_of_hunan_and_every_province_present() -> None:
    reference = _reference()
    wanted = {code for code, rows in reference.items() if code.startswith("43") or rows[0]["level"] == "0"}
    wanted.discard("0")  # the reference lists 国外 (abroad) with code 0
    missing = sorted(f"{code} {reference[code][0]['name']}" for code in wanted - set(builtin_regions().by_code))
    assert not missing, "missing: " + "、".join(missing)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("长沙", "430100"),  # a city beats a county whose name merely starts with it (长沙县)
        ("长沙县", "430121"),
        ("431224.0", "431224"),  # a code as a spreadsheet float
        ("溆浦县卢峰镇", "431224"),
        ("长沙市雨花区同升街道", "430111"),
        ("湖南省怀化市溆浦县工业园区", "431224"),
        ("北京市朝阳区", "110105"),
        ("长春市朝阳区", "220104"),
        ("陕西省咸阳市乾县", "610424"),  # 乾 is simplified to 干 before lookup
    ],
)
def test_resolve_issue_9_spellings(text: str, code: str) -> None:
    assert builtin_regions().resolve(text).code == code


def test_ambiguous_name_lists_the_candidates() -> None:
    with pytest.raises(CoparkError) as error:
        builtin_regions().resolve("朝阳区")
    message = str(error.value)
    assert "不唯一" in message and "北京市朝阳区（110105）" in message and "吉林省长春市朝阳区（220104）" in message


def test_a_locality_suffix_does_not_make_an_unknown_region_known() -> None:
    for text in ("怀化市雨花区", "火星市卢峰镇"):
        with pytest.raises(CoparkError, match="无法识别地区"):
            builtin_regions().resolve(text)


def test_every_region_is_found_by_its_full_name() -> None:
    regions = builtin_regions()
    assert [c for c in regions.by_code if regions.resolve(regions.full_name(c)).code != c] == []
