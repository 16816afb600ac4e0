"""The bundled demo dataset (雨溆工业园): shape, vocabulary and references checked offline."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import SHARED_DATA, requires_shared
from copark.core.vocab import Direction, ItemKind, OrgKind
from copark.demo import demo_paths
from copark.locale import parse_label
from copark.parsing.names import normalize_name
from copark.parsing.numbers import parse_amount, parse_date, parse_int, parse_quantity
from copark.parsing.regions import builtin_regions

YUHUA, XUPU = "430111", "431224"

# Contract A: every column of the three template sheets, in template order.
PARK_HEADERS = ["园区名称", "所在地区", "合作地区", "成立时间", "主导产业", "简介"]
ORG_HEADERS = ["企业名称", "简称", "机构类型", "统一社会信用代码", "所在地区", "所属园区", "行业", "主营产品",
               "企业简介", "联系方式", "员工人数", "年营业收入", "资源清单", "需求清单"]
ITEM_HEADERS = ["企业名称", "资源/需求", "类别", "内容", "数量", "单位", "年金额", "认证要求", "有效期", "备注"]


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    path = next(p for p in demo_paths() if p.name == name)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def parks() -> list[dict[str, str]]:
    return _read("parks.csv")[1]


@pytest.fixture(scope="module")
def orgs() -> list[dict[str, str]]:
    return _read("organizations.csv")[1]


@pytest.fixture(scope="module")
def items() -> list[dict[str, str]]:
    return _read("items.csv")[1]


def test_files_exist_with_template_headers() -> None:
    assert [p.name for p in demo_paths()] == ["parks.csv", "organizations.csv", "items.csv"]
    assert _read("parks.csv")[0] == PARK_HEADERS
    assert _read("organizations.csv")[0] == ORG_HEADERS
    assert _read("items.csv")[0] == ITEM_HEADERS
    readme = demo_paths()[0].parent / "README.md"
    assert "示意性" in readme.read_text(encoding="utf-8") and "illustrative" in readme.read_text(encoding="utf-8")


def test_no_row_has_stray_cells(parks, orgs, items) -> None:
    # DictReader puts surplus cells under None and fills missing ones with None.
    for row in [*parks, *orgs, *items]:
        assert None not in row and None not in row.values(), row


def test_sizes(parks, orgs, items) -> None:
    assert len(parks) == 1 and parks[0]["园区名称"] == "雨溆工业园"
    assert len(orgs) >= 60
    assert len(items) >= 300


def test_park(parks) -> None:
    park = parks[0]
    regions = builtin_regions()
    assert regions.resolve(park["所在地区"]).code == XUPU
    assert regions.resolve(park["合作地区"]).code == YUHUA
    assert parse_date(park["成立时间"]).isoformat() == "2022-09-30"
    codes = re.split(r"[、；;\n]", park["主导产业"])
    assert {"29", "39", "35", "18", "24", "135"} <= set(codes)
    # The failed grain/oil (131, 133) and bamboo (204) firms came in against the positioning: it must not cover them.
    for outside in ("1311", "1331", "2041"):
        assert not any(outside.startswith(code) for code in codes), outside
    for figure in ("33家", "18家", "42.95亿元", "2.42亿元", "32个国家", "粮油", "竹"):
        assert figure in park["简介"], figure


def test_organizations_are_unique_and_well_formed(orgs, parks) -> None:
    words = builtin_regions().words()
    keys = Counter(normalize_name(o["企业名称"], words) for o in orgs)
    assert [k for k, n in keys.items() if n > 1] == []
    park_names = {p["园区名称"] for p in parks}
    for org in orgs:
        assert org["企业名称"].strip() == org["企业名称"] != ""
        assert parse_label(OrgKind, org["机构类型"]) is not None, org["机构类型"]
        assert org["统一社会信用代码"] == ""  # never invent registration codes
        assert org["所属园区"] in park_names | {""}
        assert org["主营产品"] and org["企业简介"]
        parse_int(org["员工人数"])
        parse_amount(org["年营业收入"])


def test_organization_kinds_cover_banks_training_platforms_government(orgs) -> None:
    kinds = Counter(parse_label(OrgKind, o["机构类型"]) for o in orgs)
    assert kinds[OrgKind.bank] >= 5
    assert kinds[OrgKind.training] >= 2
    assert kinds[OrgKind.trade_platform] >= 2
    assert kinds[OrgKind.government] >= 1


def test_every_region_resolves_and_both_sides_are_well_represented(orgs) -> None:
    regions = builtin_regions()
    codes = Counter(regions.resolve(o["所在地区"]).code for o in orgs)
    assert all(code.startswith("43") for code in codes)
    assert codes[YUHUA] >= 20
    assert codes[XUPU] >= 20


def test_industry_codes_are_gbt4754_classes(orgs) -> None:
    for org in orgs:
        code = org["行业"]
        assert re.fullmatch(r"[A-T]?\d{4}", code), code
        assert 1 <= int(code[-4:-2]) <= 97, code  # divisions run 01–97


@requires_shared
def test_industry_codes_exist_in_the_standard(orgs) -> None:
    with open(SHARED_DATA / "gbt4754_2017" / "gbt4754_2017.csv", encoding="utf-8", newline="") as handle:
        classes = {row["code"] for row in csv.DictReader(handle) if row["level"] == "4"}
    unknown = sorted({o["行业"][-4:] for o in orgs} - classes)
    assert unknown == []


def test_items_reference_known_organizations(orgs, items) -> None:
    names = {o["企业名称"] for o in orgs}
    assert sorted({i["企业名称"] for i in items} - names) == []


def test_items_are_unique(items) -> None:
    # The importer merges items by (organization, direction, text); duplicates would vanish silently.
    keys = Counter((i["企业名称"], i["资源/需求"], i["内容"]) for i in items)
    assert [k for k, n in keys.items() if n > 1] == []


def test_every_item_kind_is_offered_and_needed(items) -> None:
    seen = set()
    for item in items:
        direction = parse_label(Direction, item["资源/需求"])
        kind = parse_label(ItemKind, item["类别"])
        assert direction is not None and kind is not None, item
        seen.add((direction, kind))
    for kind in ItemKind:
        assert (Direction.offer, kind) in seen, kind
        assert (Direction.need, kind) in seen, kind


def test_item_cells_parse(items) -> None:
    for item in items:
        assert item["内容"].strip()
        if item["数量"]:
            assert parse_quantity(item["数量"]) is not None, item["数量"]
        parse_amount(item["年金额"])  # raises CoparkError on text that holds no amount
        parse_date(item["有效期"])
    assert sum(bool(i["认证要求"]) for i in items) >= 30
    assert sum(bool(i["有效期"]) for i in items) >= 10


def _texts(items: list[dict[str, str]], org_prefix: str, direction: str) -> str:
    return "\n".join(i["内容"] for i in items if i["企业名称"].startswith(org_prefix) and i["资源/需求"] == direction)


def test_known_matches_are_present(items) -> None:
    """可孚医疗's needs are written as a buyer writes them, but still ask for what its suppliers offer."""
    kefu_needs = _texts(items, "可孚医疗", "需求")
    for need in ("过滤海绵", "过滤材料", "有源晶振", "振荡器", "海绵", "无纺布", "PCB", "注塑外壳", "外箱"):
        assert need in kefu_needs, need
    assert "医用过滤海绵" in _texts(items, "湖南舒小福", "资源")  # the article's pairing: 舒小福's sponge
    assert "空气过滤材料" in _texts(items, "湖南舒小福", "资源")
    assert "石英晶体振荡器" in _texts(items, "湖南晶科晶体", "资源")
    assert "石英晶体谐振器" in _texts(items, "湖南晶科晶体", "资源")
    assert "无源晶振" in _texts(items, "众华电子", "需求")


@pytest.mark.parametrize(
    ("yuhua_org", "xupu_org", "yuhua_gets", "xupu_gets"),
    [
        ("可孚医疗", "湖南舒小福", "过滤海绵", "电商"),
        ("晓光模具", "溆浦县天成塑业", "注塑", "注塑模"),
        ("湖南云锦服饰", "溆浦县多爱申", "代工", "版型"),
        ("湖南湘味食品", "湖南溆浦雪峰鹅业", "鹅", "门店"),
    ],
)
def test_reciprocal_pairs(items, yuhua_org: str, xupu_org: str, yuhua_gets: str, xupu_gets: str) -> None:
    """Each pair needs something the other offers, both ways."""
    assert yuhua_gets in _texts(items, yuhua_org, "需求") and yuhua_gets in _texts(items, xupu_org, "资源")
    assert xupu_gets in _texts(items, xupu_org, "需求") and xupu_gets in _texts(items, yuhua_org, "资源")


def test_import_demo_with_zero_problems(sqlite_workspace, orgs, items) -> None:
    from copark.io import importer
    from copark.knowledge.industries import builtin_industries

    # The importer rejects classes the built-in table lacks, so every demo class must be in it.
    table = builtin_industries()
    assert not sorted(o["行业"] for o in orgs if o["行业"] not in table)
    paths: list[Path] = demo_paths()
    report = importer.import_files(workspace=sqlite_workspace, paths=paths, source="demo")
    assert not report.problems, report.problems[:5]
    assert (report.parks.created, report.orgs.created) == (1, len(orgs))
    # items.csv rows plus the items written in the two free-text list cells of organizations.csv
    assert report.items.created > len(items)
