"""`copark fit` learns from the company–product lists imported with `copark kb import` beside the workspace's own
lists: a small park alone falls back to the hand-weighted ranker, with enough imported firms it learns."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from copark.cli.main import app
from copark.io.importer import import_files
from copark.knowledge.importers import import_knowledge
from copark.services.opportunities import fit_ranker, knowledge_profiles, stored_ranker
from copark.storage.tables import RankerModel
from copark.workspace import Workspace

runner = CliRunner()
KINDS = ("机", "剂", "管", "板", "线", "泵")


def product_lists(count: int, sizes: tuple[int, ...], *, seed: int, used: set[str]) -> list[tuple[str, ...]]:
    """`count` product lists of distinct names never in `used` (which grows): each firm works with four of its
    industry's syllables, so a held-out product shares characters with its maker's other products."""
    rng = random.Random(seed)
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 2000)]
    rng.shuffle(alphabet)
    industries = [alphabet[i * 8:(i + 1) * 8] for i in range(30)]
    lists = []
    for number in range(count):
        own = rng.sample(industries[number % len(industries)], 4)
        products: list[str] = []
        while len(products) < sizes[number % len(sizes)]:
            product = "".join(rng.choice(own) for _ in range(3)) + rng.choice(KINDS)
            if product not in used:
                used.add(product)
                products.append(product)
        lists.append(tuple(products))
    return lists


def write_workspace_file(path: Path, orgs: list[tuple[str, str, tuple[str, ...]]]) -> Path:
    """企业 sheet of (name, region, offers) rows, as a park's staff would write it."""
    lines = ["企业名称,所在地区,资源清单", *(f"{name},{region},{'、'.join(offers)}" for name, region, offers in orgs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_chainkg(directory: Path, firms: list[tuple[str, str, str, str, tuple[str, ...]]]) -> Path:
    """A chainkg dump of (code, name, fullname, industry, products) firms, products by falling revenue weight."""
    directory.mkdir(parents=True, exist_ok=True)

    def lines(rows: list[dict[str, object]]) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    (directory / "company.jsonl").write_text(lines(
        [{"name": name, "fullname": full, "code": code} for code, name, full, _, _ in firms]), encoding="utf-8")
    (directory / "company_industry.jsonl").write_text(lines(
        [{"company_code": f"{code}.SZ", "industry_code": "1", "industry_name": industry, "company_name": name}
         for code, name, _, industry, _ in firms if industry]), encoding="utf-8")
    # written worst first: the import orders them by weight
    (directory / "company_product.jsonl").write_text(lines(
        [{"company_code": f"{code}.SZ", "product_name": product, "rel_weight": round(0.1 * (1 + rank), 2)}
         for code, _, _, _, products in firms for rank, product in enumerate(reversed(products))]), encoding="utf-8")
    (directory / "product_product.jsonl").write_text(lines(
        [{"from_entity": "液压油缸", "to_entity": "钢管", "rel": "上游材料"}]), encoding="utf-8")
    return directory


@pytest.fixture
def park(sqlite_url: str, tmp_path: Path) -> str:
    """A park of 20 enterprises with 3–4 products each (too few to learn from), and 150 listed firms with five
    products each imported with `kb import`, plus one listed firm that is a park enterprise under its full name."""
    used: set[str] = set()
    mine = product_lists(20, (3, 4), seed=1, used=used)
    orgs = [(f"园区企业{i:02d}有限公司", "溆浦县" if i % 2 else "长沙市雨花区", offers) for i, offers in enumerate(mine)]
    listed = product_lists(150, (5,), seed=2, used=used)
    firms = [(f"{300001 + i}", f"知识企业{i:03d}", f"知识企业{i:03d}股份有限公司", f"行业{i % 30}", products)
             for i, products in enumerate(listed)]
    firms.append(("300999", "园区企业", "湖南园区企业00股份有限公司", "", (*mine[0], "另一产品机")))
    workspace = Workspace(sqlite_url)
    try:
        import_files(workspace=workspace, paths=[write_workspace_file(tmp_path / "企业.csv", orgs)])
        import_knowledge(workspace=workspace, chainkg=write_chainkg(tmp_path / "kg", firms))
    finally:
        workspace.close()
    return sqlite_url


def test_small_park_learns_with_imported_company_lists(park: str) -> None:
    workspace = Workspace(park)
    try:
        with workspace.transaction() as session:
            alone = fit_ranker(session=session, regions=workspace.regions, knowledge=False)
        assert not alone.fitted and alone.organizations == 20 and alone.knowledge_organizations == 0
        with workspace.transaction() as session:
            result = fit_ranker(session=session, regions=workspace.regions, knowledge=True)
        assert result.fitted and result.organizations == 20  # the workspace's own, as before
        # the listed twin of 园区企业00 is left out: 150 imported firms join, not 151
        assert result.knowledge_organizations == result.figures["knowledge_organizations"] == 150
        assert result.figures["cases"] >= 300 and result.figures["trees"] >= 1
        with workspace.transaction() as session:
            ranker, row = stored_ranker(session)
            assert ranker is not None and row is not None and row.figures["knowledge_organizations"] == 150
            again = fit_ranker(session=session, regions=workspace.regions, knowledge=True)
            assert again.figures["cases"] == result.figures["cases"]
            assert stored_ranker(session)[0].model == ranker.model  # same data, same seed: the same trees
            # knowledge off (the default): too few again, and the earlier model is removed (the fallback ranks)
            assert not fit_ranker(session=session, regions=workspace.regions).fitted
            assert session.scalar(select(RankerModel.id)) is None
    finally:
        workspace.close()


def test_knowledge_profiles_leave_out_workspace_organizations(workspace: Workspace, tmp_path: Path) -> None:
    orgs = [("湖南华联瓷业有限公司", "醴陵市", ("日用瓷",)), ("安化县祥泰有限公司", "安化县", ("茶叶",))]
    import_files(workspace=workspace, paths=[write_workspace_file(tmp_path / "企业.csv", orgs)])
    firms = [("301079", "邵阳液压", "邵阳维克液压股份有限公司", "液压", ("液压油缸", "液压泵")),
             ("001216", "华瓷股份", "湖南华联瓷业股份有限公司", "陶瓷", ("日用瓷", "釉中彩瓷")),
             ("002999", "嘉禾县祥泰", "", "", ("茶叶",)),
             ("000998", "祥泰", "", "", ("茶叶机",))]
    import_knowledge(workspace=workspace, chainkg=write_chainkg(tmp_path / "kg", firms))
    with workspace.transaction() as session:
        profiles = knowledge_profiles(session, workspace.regions)
    # 华瓷股份 is 湖南华联瓷业 by its full name and 祥泰 reads as 安化县祥泰 (it names no place of its own), as the
    # importer would settle them; 嘉禾县祥泰 names another place, so it is another firm
    assert [(p.org_id, p.name, p.region, p.industry, p.products) for p in profiles] == [
        ("kb:chainkg:002999", "嘉禾县祥泰", "", "", ("茶叶",)),
        ("kb:chainkg:301079", "邵阳液压", "", "液压", ("液压油缸", "液压泵")),
    ]


def test_cli_fit_with_and_without_knowledge(park: str) -> None:
    result = runner.invoke(app, ["-d", park, "fit"])
    assert result.exit_code == 0, result.output
    assert "清单太少（20 家机构" in result.output and "上市公司" not in result.output
    result = runner.invoke(app, ["-d", park, "fit", "--with-knowledge"])
    assert result.exit_code == 0, result.output
    assert "知识库中 150 家上市公司的产品清单参与训练" in result.output and "已训练排序模型：20 家机构" in result.output


def test_cli_fit_too_few_points_to_kb_import(sqlite_url: str, tmp_path: Path) -> None:
    workspace = Workspace(sqlite_url)
    try:
        import_files(workspace=workspace, paths=[write_workspace_file(
            tmp_path / "企业.csv", [("甲有限公司", "长沙市", ("齿轮", "轴承", "电机"))])])
    finally:
        workspace.close()
    result = runner.invoke(app, ["-d", sqlite_url, "fit"])
    assert result.exit_code == 0, result.output
    assert "清单太少" in result.output and "copark kb import" not in result.output  # the hint is for the opt-in
    result = runner.invoke(app, ["-d", sqlite_url, "fit", "--with-knowledge"])
    assert result.exit_code == 0, result.output
    assert "清单太少" in result.output and "copark kb import --chainkg" in result.output
