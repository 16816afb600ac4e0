"""`copark kb import`: GB/T 4754, chainkg relations and company–product lists, all-or-nothing, idempotent,
confidence rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from conftest import SHARED_DATA, requires_shared
from copark.cli.main import app
from copark.core.errors import CoparkError
from copark.knowledge import importers
from copark.knowledge.importers import chainkg_confidence, import_knowledge
from copark.knowledge.store import CompanyRecord, read_companies
from copark.storage.tables import Industry, KnowledgeCompany, KnowledgeNode, KnowledgeRelation
from copark.workspace import Workspace

GBT = """code,name,level,level_name,parent,section,description,note
C,制造业,1,门类,,C,本门类包括13～43大类,
35,专用设备制造业,2,大类,C,C,,
358,医疗仪器设备及器械制造,3,中类,35,C,,
3581,医疗诊断、监护及治疗设备制造,4,小类,358,C,指用于内科、外科……,
"""
RELATIONS = [
    {"from_entity": "制氧机", "to_entity": "分子筛", "rel": "上游材料"},
    {"from_entity": "制氧机", "to_entity": "高原制氧机", "rel": "产品小类"},
    {"from_entity": "黑芝麻", "to_entity": "黑芝麻圆桶面包", "rel": "产品小类"},
    {"from_entity": "红豆薏米仁汤", "to_entity": "冰糖", "rel": "上游材料"},
    {"from_entity": "木糖", "to_entity": "木糖醇", "rel": "下游产品"},
    {"from_entity": "制氧机", "to_entity": "分子筛", "rel": "上游材料"},  # duplicate line
    {"from_entity": "发行分部", "to_entity": "图书", "rel": "产品小类"},
]


def write_chainkg(directory: Path, rows: list[dict[str, str]], extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    (directory / "product_product.jsonl").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return directory


COMPANIES = [
    {"name": "邵阳液压", "fullname": "邵阳维克液压股份有限公司", "code": "301079"},
    {"name": "邵阳液压", "fullname": "邵阳维克液压股份有限公司", "code": "301079.SZ"},  # the same firm again
    {"name": "华瓷股份", "fullname": "湖南华联瓷业股份有限公司", "code": "001216"},
    {"name": "无产品", "fullname": "无产品股份有限公司", "code": "000999"},
]
COMPANY_INDUSTRY = [
    {"company_code": "301079.SZ", "industry_code": "640203", "industry_name": "液压", "company_name": "邵阳液压"},
    {"company_code": "688722.SH", "industry_code": "220503", "industry_name": "纤维", "company_name": "同益中"},
]
COMPANY_PRODUCTS = [
    {"company_code": "301079.SZ", "product_name": "液压泵", "rel_weight": 0.1},
    {"company_code": "301079.SZ", "product_name": "液压油缸", "rel_weight": 0.6},
    {"company_code": "001216.SZ", "product_name": "日用瓷", "rel_weight": 0.001},
    {"company_code": "301079", "product_name": "液压阀", "rel_weight": 0.1},  # ties keep file order
    {"company_code": "301079.SZ", "product_name": "液压油缸", "rel_weight": 0.2},  # a duplicate, lower
    {"company_code": "001216.SZ", "product_name": "釉中彩瓷", "rel_weight": 0.001},
    {"company_code": "688722.SH", "product_name": "超高分子量聚乙烯纤维"},  # in company_industry.jsonl only
    {"company_code": "900001.SH", "product_name": "无名产品", "rel_weight": 0.9},  # a firm listed nowhere
]


def write_companies(directory: Path, companies: list[dict[str, object]] = COMPANIES,
                    industries: list[dict[str, object]] = COMPANY_INDUSTRY,
                    products: list[dict[str, object]] = COMPANY_PRODUCTS) -> Path:
    for name, rows in (("company.jsonl", companies), ("company_industry.jsonl", industries),
                       ("company_product.jsonl", products)):
        (directory / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                      encoding="utf-8")
    return directory


def counts(workspace: Workspace) -> tuple[int, int, int]:
    with workspace.transaction() as session:
        return (session.scalar(select(func.count()).select_from(Industry)),
                session.scalar(select(func.count()).select_from(KnowledgeNode)),
                session.scalar(select(func.count()).select_from(KnowledgeRelation)))


def relations(workspace: Workspace) -> dict[tuple[str, str, str], float]:
    with workspace.transaction() as session:
        names = dict(session.execute(select(KnowledgeNode.id, KnowledgeNode.name)).tuples().all())
        return {(names[r.from_id], r.rel, names[r.to_id]): r.confidence
                for r in session.scalars(select(KnowledgeRelation))}


def test_confidence_rules() -> None:
    assert chainkg_confidence("防盗门", "上游材料", "镀锌板") == importers.BASE_CONFIDENCE
    assert chainkg_confidence("铸件", "产品小类", "床身铸件") == importers.BASE_CONFIDENCE
    assert chainkg_confidence("黑芝麻", "产品小类", "黑芝麻圆桶面包") == importers.LOOSE_SUBCATEGORY
    assert chainkg_confidence("红豆薏米仁汤", "上游材料", "冰糖") == importers.DISH_AND_KITCHEN
    assert chainkg_confidence("玫瑰老婆饼", "上游材料", "低筋面粉糖粉猪油水") == importers.DISH
    assert chainkg_confidence("米粉", "上游材料", "大米") == importers.KITCHEN_INPUT
    assert chainkg_confidence("海水制碱", "上游材料", "以食盐") == importers.FRAGMENT
    assert chainkg_confidence("发行分部", "产品小类", "图书") == importers.FRAGMENT


def test_import_gbt_and_chainkg(workspace: Workspace, tmp_path: Path) -> None:
    gbt = tmp_path / "gbt.csv"
    gbt.write_text(GBT, encoding="utf-8")
    report = import_knowledge(workspace=workspace, gbt=gbt, chainkg=write_chainkg(tmp_path / "kg", RELATIONS))
    assert (report.industries_created, report.industries_updated) == (4, 0)
    assert report.relations is not None
    assert (report.relations.relations, report.relations.duplicates) == (6, 1)
    with workspace.transaction() as session:
        c3581 = session.get(Industry, "3581")
        assert (c3581.name, c3581.level, c3581.parent, c3581.section) == ("医疗诊断、监护及治疗设备制造", 4, "358", "C")
    rows = relations(workspace)
    assert rows[("制氧机", "upstream", "分子筛")] == importers.BASE_CONFIDENCE
    assert rows[("制氧机", "subcategory", "高原制氧机")] == importers.BASE_CONFIDENCE
    assert ("木糖醇", "upstream", "木糖") in rows  # 下游产品 turned round
    assert rows[("红豆薏米仁汤", "upstream", "冰糖")] == importers.DISH_AND_KITCHEN


def test_reimport_replaces_and_min_confidence_filters(workspace: Workspace, tmp_path: Path) -> None:
    kg = write_chainkg(tmp_path / "kg", RELATIONS)
    import_knowledge(workspace=workspace, chainkg=kg)
    first = counts(workspace)
    import_knowledge(workspace=workspace, chainkg=kg)
    assert counts(workspace) == first
    report = import_knowledge(workspace=workspace, chainkg=kg, min_confidence=0.3)
    assert report.relations is not None and report.relations.skipped_low_confidence == 2
    rows = relations(workspace)
    assert len(rows) == 4 and min(rows.values()) >= 0.3
    assert counts(workspace)[1] == 7  # nodes only the dropped relations used are gone


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ('{"from_entity": "a"\n', 8),
        ('{"from_entity": "电机", "to_entity": "铜线", "rel": "其他关系"}\n', 8),
        ('{"from_entity": "电机", "rel": "上游材料"}\n', 8),
    ],
)
def test_malformed_chainkg_line_changes_nothing(workspace: Workspace, tmp_path: Path, extra: str,
                                                line: int) -> None:
    import_knowledge(workspace=workspace, chainkg=write_chainkg(tmp_path / "good", RELATIONS[:2]))
    before, before_rows = counts(workspace), relations(workspace)
    gbt = tmp_path / "gbt.csv"
    gbt.write_text(GBT, encoding="utf-8")
    with pytest.raises(CoparkError) as info:
        import_knowledge(workspace=workspace, gbt=gbt, chainkg=write_chainkg(tmp_path / "bad", RELATIONS, extra))
    assert info.value.problem.where == f"product_product.jsonl:{line}"
    assert counts(workspace) == before and relations(workspace) == before_rows  # GB/T rows rolled back too


def test_chainkg_companies_with_products_best_first(workspace: Workspace, tmp_path: Path) -> None:
    kg = write_companies(write_chainkg(tmp_path / "kg", RELATIONS))
    report = import_knowledge(workspace=workspace, chainkg=kg)
    assert report.companies == 3  # 000999 lists no product, 900001 is no company
    with workspace.transaction() as session:
        stored = read_companies(session=session)
    assert stored == [
        CompanyRecord("chainkg", "001216", "华瓷股份", "湖南华联瓷业股份有限公司", "", ("日用瓷", "釉中彩瓷")),
        CompanyRecord("chainkg", "301079", "邵阳液压", "邵阳维克液压股份有限公司", "液压", ("液压油缸", "液压泵", "液压阀")),
        CompanyRecord("chainkg", "688722", "同益中", "", "纤维", ("超高分子量聚乙烯纤维",)),
    ]
    # re-import replaces the source's companies: one firm gone, one product list changed
    write_companies(kg, products=[{"company_code": "001216", "product_name": "陶瓷餐具", "rel_weight": 0.5},
                                  *COMPANY_PRODUCTS[:2]])
    assert import_knowledge(workspace=workspace, chainkg=kg).companies == 2
    with workspace.transaction() as session:
        assert [(c.code, c.products) for c in read_companies(session=session)] == [
            ("001216", ("陶瓷餐具",)), ("301079", ("液压油缸", "液压泵"))]


def test_bad_company_line_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    kg = write_companies(write_chainkg(tmp_path / "kg", RELATIONS))
    import_knowledge(workspace=workspace, chainkg=kg)
    before, before_rows = counts(workspace), relations(workspace)
    write_companies(kg, products=[*COMPANY_PRODUCTS, {"company_code": "301079", "product_name": "阀", "rel_weight": "高"}])
    with pytest.raises(CoparkError) as info:
        import_knowledge(workspace=workspace, chainkg=kg)
    assert info.value.problem.where == "company_product.jsonl:9"
    write_companies(kg)
    (kg / "company_industry.jsonl").unlink()
    with pytest.raises(CoparkError, match="company_industry.jsonl"):
        import_knowledge(workspace=workspace, chainkg=kg)
    assert counts(workspace) == before and relations(workspace) == before_rows  # relations rolled back too
    with workspace.transaction() as session:
        assert session.scalar(select(func.count()).select_from(KnowledgeCompany)) == 3


def test_overlong_company_name_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    """A name longer than its column is refused, never stored cut short."""
    kg = write_companies(write_chainkg(tmp_path / "kg", RELATIONS))
    import_knowledge(workspace=workspace, chainkg=kg)
    write_companies(kg, companies=[*COMPANIES, {"name": "长" * 256, "fullname": "", "code": "000777"}],
                    products=[*COMPANY_PRODUCTS, {"company_code": "000777", "product_name": "砖", "rel_weight": 1}])
    with pytest.raises(CoparkError, match="简称") as info:
        import_knowledge(workspace=workspace, chainkg=kg)
    assert info.value.problem.where == "000777" and "255" in info.value.problem.what
    with workspace.transaction() as session:
        assert [c.code for c in read_companies(session=session)] == ["001216", "301079", "688722"]


def test_relations_only_directory_keeps_companies(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    import_knowledge(workspace=sqlite_workspace, chainkg=write_companies(write_chainkg(tmp_path / "kg", RELATIONS)))
    report = import_knowledge(workspace=sqlite_workspace, chainkg=write_chainkg(tmp_path / "only", RELATIONS))
    assert report.companies is None
    with sqlite_workspace.transaction() as session:
        assert len(read_companies(session=session)) == 3


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("3582,新设备,5,小类,358,C,,", "gbt.csv:6"),
        ("35X,坏代码,3,中类,35,C,,", "gbt.csv:6"),
        ("3582,,4,小类,358,C,,", "gbt.csv:6"),
    ],
)
def test_malformed_gbt_line_changes_nothing(workspace: Workspace, tmp_path: Path, row: str, where: str) -> None:
    gbt = tmp_path / "gbt.csv"
    gbt.write_text(GBT + row + "\n", encoding="utf-8")
    with pytest.raises(CoparkError) as info:
        import_knowledge(workspace=workspace, gbt=gbt)
    assert info.value.problem.where == where
    assert counts(workspace) == (0, 0, 0)


def test_gbt_missing_columns_and_paths(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title\n35,专用设备\n", encoding="utf-8")
    with pytest.raises(CoparkError, match="name"):
        import_knowledge(workspace=sqlite_workspace, gbt=bad)
    with pytest.raises(CoparkError):
        import_knowledge(workspace=sqlite_workspace, gbt=tmp_path / "missing.csv")
    with pytest.raises(CoparkError):
        import_knowledge(workspace=sqlite_workspace, chainkg=tmp_path / "nowhere")
    with pytest.raises(CoparkError):
        import_knowledge(workspace=sqlite_workspace)
    with pytest.raises(CoparkError):
        import_knowledge(workspace=sqlite_workspace, chainkg=tmp_path, min_confidence=1.5)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(GBT.encode("gbk"))  # an Excel "CSV" in the local code page, or an .xlsx given by mistake
    with pytest.raises(CoparkError, match="UTF-8") as info:
        import_knowledge(workspace=sqlite_workspace, gbt=gbk)
    assert info.value.problem.where == "gbk.csv"


def test_cli_kb_import(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["-d", sqlite_url, "kb", "import"])
    assert result.exit_code == 1 and "--chainkg" in result.output
    kg = write_chainkg(tmp_path / "kg", RELATIONS)
    result = runner.invoke(app, ["-d", sqlite_url, "kb", "import", "--chainkg", str(kg)])
    assert result.exit_code == 0, result.output
    assert "导入 6 条关系" in result.output and "公司" not in result.output
    result = runner.invoke(app, ["-d", sqlite_url, "kb", "import", "--chainkg", str(write_companies(kg))])
    assert result.exit_code == 0, result.output
    assert "上市公司产品清单（来源 chainkg）：3 家公司" in result.output
    write_chainkg(kg, RELATIONS, '{"oops"\n')
    result = runner.invoke(app, ["-d", sqlite_url, "kb", "import", "--chainkg", str(kg)])
    assert result.exit_code == 1 and "product_product.jsonl:8" in result.output
    assert "Traceback" not in result.output


@requires_shared
@pytest.mark.slow
def test_real_chainkg_and_gbt_import(sqlite_workspace: Workspace) -> None:
    report = import_knowledge(workspace=sqlite_workspace, gbt=SHARED_DATA / "gbt4754_2017" / "gbt4754_2017.csv",
                              chainkg=SHARED_DATA / "chainkg", min_confidence=0.3)
    r = report.relations
    assert r is not None
    assert r.relations + r.skipped_low_confidence + r.duplicates == 110_153
    assert r.relations > 80_000 and r.skipped_low_confidence > 10_000
    assert report.industries_created > 1_900
    assert report.companies == 3_832  # the listed firms with a product list (the capability bench's firms)
    with sqlite_workspace.transaction() as session:
        low = session.scalar(select(func.min(KnowledgeRelation.confidence)))
        total = session.scalar(select(func.count()).select_from(KnowledgeRelation))
        assert session.get(Industry, "3581") is not None
    assert low >= 0.3 and total == r.relations
