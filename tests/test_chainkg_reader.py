"""The chainkg streaming readers: joins, code suffixes, and clear errors on malformed lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED_DATA, requires_shared
from copark.core.errors import CoparkError
from copark.knowledge.chainkg import (
    ChainCompany,
    load_chainkg,
    read_companies,
    read_company_products,
    read_product_relations,
)


def _write(path: Path, rows: list[object]) -> None:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")


@pytest.fixture
def kg_dir(tmp_path: Path) -> Path:
    _write(tmp_path / "company.jsonl", [
        {"name": "邵阳液压", "fullname": "邵阳维克液压股份有限公司", "code": "301079"},
        {"name": "邵阳液压", "fullname": "邵阳维克液压股份有限公司", "code": "301079.SZ"},
        {"name": "同益中", "fullname": "北京同益中新材料科技股份有限公司", "code": "688722.SH"},
    ])
    _write(tmp_path / "company_industry.jsonl", [
        {"company_code": "301079.SZ", "industry_code": "640203", "industry_name": "液压", "company_name": "邵阳液压"},
        {"company_code": "600000.SH", "industry_code": "480301", "industry_name": "股份制银行", "company_name": "浦发银行"},
    ])
    _write(tmp_path / "company_product.jsonl", [
        {"company_code": "301079.SZ", "product_name": "液压油缸", "rel": "主营产品", "rel_weight": 0.6},
        "",
        {"company_code": "688722.SH", "product_name": " 超高分子量聚乙烯纤维 ", "rel": "主营产品"},
    ])
    _write(tmp_path / "product_product.jsonl", [
        {"from_entity": "液压油缸", "to_entity": "钢管", "rel": "上游材料"},
        {"from_entity": "纤维", "to_entity": "超高分子量聚乙烯纤维", "rel": "产品小类"},
    ])
    return tmp_path


def test_companies_join_industry_and_strip_suffix(kg_dir: Path) -> None:
    companies = list(read_companies(kg_dir))
    assert companies == [
        ChainCompany("301079", "邵阳液压", "邵阳维克液压股份有限公司", "640203", "液压"),
        ChainCompany("688722", "同益中", "北京同益中新材料科技股份有限公司", "", ""),
        ChainCompany("600000", "浦发银行", "", "480301", "股份制银行"),
    ]


def test_products_and_relations(kg_dir: Path) -> None:
    assert list(read_company_products(kg_dir)) == [("301079", "液压油缸", 0.6), ("688722", "超高分子量聚乙烯纤维", 0.0)]
    assert list(read_product_relations(kg_dir)) == [("液压油缸", "上游材料", "钢管"),
                                                    ("纤维", "产品小类", "超高分子量聚乙烯纤维")]
    data = load_chainkg(kg_dir)
    assert len(data.companies) == 3 and len(data.company_products) == 2 and len(data.relations) == 2


@pytest.mark.parametrize(("line", "expected"), [
    ("{not json", "不是有效的 JSON"),
    ("[1, 2]", "不是 JSON 对象"),
    ('{"company_code": "1", "product_name": ""}', "product_name"),
    ('{"company_code": "1", "product_name": "x", "rel_weight": "高"}', "rel_weight"),
])
def test_malformed_product_line_names_file_and_line(kg_dir: Path, line: str, expected: str) -> None:
    with (kg_dir / "company_product.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    with pytest.raises(CoparkError) as info:
        list(read_company_products(kg_dir))
    assert info.value.problem.where == "company_product.jsonl:4"
    assert expected in info.value.problem.what


def test_non_utf8_line_names_file_and_line(kg_dir: Path) -> None:
    with (kg_dir / "company_product.jsonl").open("ab") as handle:
        handle.write('{"company_code": "1", "product_name": "过滤棉", "rel_weight": 0.1}\n'.encode("gbk"))
    with pytest.raises(CoparkError) as info:
        list(read_company_products(kg_dir))
    assert info.value.problem.where == "company_product.jsonl:4" and "UTF-8" in info.value.problem.what


def test_unknown_relation_and_missing_file(kg_dir: Path) -> None:
    _write(kg_dir / "product_product.jsonl", [{"from_entity": "a", "to_entity": "b", "rel": "朋友"}])
    with pytest.raises(CoparkError, match="朋友"):
        list(read_product_relations(kg_dir))
    (kg_dir / "company.jsonl").unlink()
    with pytest.raises(CoparkError, match="company.jsonl"):
        list(read_companies(kg_dir))
    with pytest.raises(CoparkError):
        load_chainkg(kg_dir / "nowhere")


@requires_shared
def test_real_chainkg_reads() -> None:
    directory = SHARED_DATA / "chainkg"
    products = sum(1 for _ in read_company_products(directory))
    assert products == 53184
    companies = {c.code: c for c in read_companies(directory)}
    assert all("." not in code for code in companies)
    assert sum(1 for c in companies.values() if c.industry_code) > 4000
