"""定位契合度 and 补链 on the real demo (雨溆工业园) and on a hand-made chain: the failed grain and bamboo firms come
out flagged 不在主导产业 with the evidence, an in-chain firm fits, the score is the documented formula, and the
chain gaps name missing nodes with partner-region candidates the matching engine itself ranks and explains."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from copark import api
from copark.cli.main import app
from copark.core.errors import CoparkError
from copark.demo import load_demo
from copark.knowledge.graph import ChainGraph, EdgeRecord
from copark.knowledge.parkchain import DeclaredChain, Neighbour, need_index, node_index
from copark.knowledge.prospect import Prospect, assess
from copark.matching.config import PARK_FIT
from copark.services.access import NotFound
from copark.workspace import Workspace

runner = CliRunner()
GRAIN, BAMBOO = "溆浦县禾丰粮油有限公司（虚构）", "溆浦县青竹制品有限公司（虚构）"
NONWOVEN = "溆浦县华泰无纺布有限公司（虚构）"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fit') / 'demo.sqlite'}"
    workspace = Workspace(url)
    load_demo(workspace=workspace)
    yield workspace, url
    workspace.close()


def _project(workspace: Workspace, name: str) -> int:
    return next(p.id for p in api.operations.list_projects(workspace=workspace) if p.name == name)


# ---- 定位契合度 on the demo ------------------------------------------------------------------------------------------


def test_demo_positioning_leaves_grain_and_bamboo_out(demo) -> None:
    workspace, _ = demo
    choices = [entry for entry, _ in api.parkfit.chain_choices(workspace=workspace)]
    assert choices == ["29", "30", "39", "35", "17", "18", "24", "135", "194"]
    assert not [c for c in choices if c.startswith("13") and c != "135"] and "20" not in choices
    assert not [c for c in choices if "1331".startswith(c) or "2041".startswith(c)]


@pytest.mark.parametrize(("name", "inputs"), [(GRAIN, ("油菜籽", "稻谷")), (BAMBOO, ("毛竹",))])
def test_failed_grain_and_bamboo_projects_are_flagged(demo, name: str, inputs: tuple[str, ...]) -> None:
    workspace, _ = demo
    fit = api.parkfit.assess(workspace=workspace, project_id=_project(workspace, name))
    assert (fit.positioning, fit.band, fit.band_label, fit.score) == ("out", "poor", "不契合", 0.0)
    flags = {f.code: f for f in fit.flags}
    assert {"off_positioning", "no_local_supplier", "no_local_customer"} <= set(flags)
    assert flags["off_positioning"].label == "不在主导产业"
    assert "29 橡胶和塑料制品业" in flags["off_positioning"].detail  # the evidence: the positioning it is outside
    for node in inputs:  # and the inputs no local firm makes
        assert node in flags["no_local_supplier"].detail
    assert fit.nodes and not fit.suppliers and not fit.customers and fit.demo


def test_an_in_chain_project_fits_with_named_local_links(demo) -> None:
    workspace, _ = demo
    fit = api.parkfit.assess(workspace=workspace, project_id=_project(workspace, NONWOVEN))
    assert (fit.positioning, fit.band) == ("in", "fit") and "17 纺织业" in fit.positioning_text
    supplier = {s.name: s for s in fit.suppliers}["辰溪县永兴化纤有限公司（虚构）"]
    assert "涤纶短纤" in " ".join(supplier.evidence) and "41" in supplier.place
    customer = {c.name: c for c in fit.customers}["湖南溆浦康源卫材有限公司（虚构）"]
    assert customer.place == "园区内" and any("护理垫" in e for e in customer.evidence)
    assert not [f for f in fit.flags if f.code == "off_positioning"]
    # the formula of matching.config.ParkFit: in the positioning, one local customer and supplier, the partner
    assert fit.score == PARK_FIT.positioning_points + PARK_FIT.customer_points + PARK_FIT.supplier_points \
        + PARK_FIT.partner_points == sum(fit.points.values())


def test_a_supplier_to_a_declared_chain_is_linked_not_outside(demo) -> None:
    """康源卫材 (2770, medical consumables) is outside the listed codes but buys the park's nonwovens: 延链."""
    workspace, _ = demo
    fit = api.parkfit.assess(workspace=workspace, project_id=_project(workspace, "湖南溆浦康源卫材有限公司（虚构）"))
    assert fit.positioning == "linked" and "17 纺织业" in fit.positioning_text and NONWOVEN in fit.positioning_text
    assert fit.points["positioning"] == PARK_FIT.positioning_points * PARK_FIT.linked_share


def test_fit_of_an_organization_and_bad_requests(demo) -> None:
    workspace, _ = demo
    fit = api.parkfit.assess(workspace=workspace, org="恒通海绵")
    assert fit.positioning == "in" and "舒小福" in " ".join(c.name for c in fit.customers)
    with pytest.raises(CoparkError, match="二选一"):
        api.parkfit.assess(workspace=workspace)
    with pytest.raises(NotFound):
        api.parkfit.assess(workspace=workspace, project_id=999_999)
    with pytest.raises(CoparkError):
        api.parkfit.assess(workspace=workspace, org="没有这家企业")


# ---- the documented formula, on a hand-made chain ---------------------------------------------------------------------


def _tiny() -> tuple[ChainGraph, list[DeclaredChain]]:
    graph = ChainGraph()
    graph.add_node("海绵", "2924")
    graph.add_node("护理垫", "2770")
    graph.add_node("聚醚", "2651")
    graph.add_node("菜籽油", "1331")
    graph.add_edge(EdgeRecord("海绵", "upstream", "聚醚", "material", confidence=0.9))
    graph.add_edge(EdgeRecord("护理垫", "upstream", "海绵", "material", confidence=0.8))
    return graph, [DeclaredChain("29", ("29",), "29 橡胶和塑料制品业")]


def _run(prospect: Prospect, neighbours: list[Neighbour]):  # noqa: ANN202
    graph, chains = _tiny()
    return assess(graph, prospect, positioning=["29"], chains=chains, makers=node_index(graph, neighbours),
                  askers=need_index(graph, neighbours))


def _org(i: int, offers: tuple[str, ...], side: str = "park", code: str = "2770", needs: tuple[str, ...] = ()):  # noqa: ANN202
    return Neighbour(i, f"企业{i}", "431224", "溆浦县", code, side, 0.0, offers, needs)


def test_score_is_the_documented_formula() -> None:
    c = PARK_FIT
    sponge = Prospect("海绵厂", None, "2924", "海绵厂", ("海绵",))
    alone = _run(sponge, [])
    assert (alone.score, alone.band, alone.positioning) == (c.positioning_points, "partial", "in")
    linked = _run(sponge, [_org(1, ("护理垫",)), _org(2, ("护理垫",)), _org(3, ("护理垫",)),
                           _org(4, ("聚醚",), code="2651"), _org(5, ("护理垫",), side="partner")])
    assert len(linked.customers) == 3 and len(linked.suppliers) == 1 and linked.partner  # three count as two
    assert linked.score == c.positioning_points + 2 * c.customer_points + c.supplier_points + c.partner_points
    assert linked.band == "fit"
    # outside the positioning: no positioning points, and never 契合 whatever its links
    oil = Prospect("油厂", None, "1331", "油厂", ("菜籽油",))
    graph, chains = _tiny()
    graph.add_node("卤鹅", "1352")
    graph.add_edge(EdgeRecord("卤鹅", "upstream", "菜籽油", "material", confidence=1.0))
    buyers = [_org(i, ("卤鹅",), code="1352") for i in (1, 2)] + [_org(3, (), needs=("菜籽油",))]
    buyers += [_org(9, ("卤鹅",), code="1352", side="partner")]
    out = assess(graph, oil, positioning=["29"], chains=chains, makers=node_index(graph, buyers),
                 askers=need_index(graph, buyers))
    assert out.positioning == "out" and out.points["positioning"] == 0
    assert out.score == 2 * c.customer_points + c.partner_points and out.band in ("partial", "poor")
    assert "off_positioning" in {f.code for f in out.flags}


def test_declared_chains_group_codes_under_their_word_and_trees_without_local_makers() -> None:
    from copark.knowledge.industries import builtin_industries
    from copark.knowledge.parkchain import chain_tree, declared_chains
    from copark.services.chaingaps import pick_chains

    chains = declared_chains(["电子信息", "39", "65", "29", "纺织服装产业"], builtin_industries())
    assert [(c.entry, c.codes) for c in chains] == [("电子信息", ("39", "65")), ("29", ("29",)),
                                                    ("纺织服装产业", ("17", "18"))]
    assert chains[0].label == "电子信息（39、65）" and chains[1].label == "29 橡胶和塑料制品业"
    assert pick_chains(chains, "3982", "园区") == [chains[0]] and pick_chains(chains, "C29", "园区") == [chains[1]]
    graph, _ = _tiny()
    bare = chain_tree(graph, chains[1], {})
    assert not bare.anchored and [n.name for n in bare.missing] == ["海绵"]
    made = chain_tree(graph, chains[1], node_index(graph, [_org(1, ("海绵",), code="2924")]))
    assert made.anchored and [n.name for n in made.covered] == ["海绵"]
    assert [(n.name, n.role, n.kind, n.linked_to) for n in made.missing] == [("聚醚", "input", "material", ["海绵"])]


# ---- 补链 on the demo ------------------------------------------------------------------------------------------------


def test_chain_gaps_name_missing_nodes_and_rank_partner_candidates(demo) -> None:
    workspace, _ = demo
    report = api.parkfit.chain_gaps(workspace=workspace, chain="39")
    (chain,) = report.chains
    assert chain.label.startswith("39 ") and report.partner_region.endswith("雨花区") and report.demo
    assert {"石英晶体谐振器", "SMT贴片加工"} <= {n.name for n in chain.covered}
    missing = {n.name: n for n in chain.missing}
    assert {"PCBA", "晶振基座", "锡膏"} <= set(missing)
    pcba = missing["PCBA"]
    assert pcba.role == "output" and "SMT贴片加工" in pcba.linked_to
    names = [c.name for c in pcba.partner]
    assert names[:2] == ["长沙联芯电子科技有限公司（虚构）", "众华电子科技"]
    assert [c.rank for c in pcba.partner] == list(range(1, len(pcba.partner) + 1))
    assert all(c.side == "partner" and c.region == "雨花区" and c.why for c in pcba.partner)
    assert pcba.partner[0].score >= pcba.partner[1].score and "产业链" in pcba.partner[0].why
    assert pcba.partner[0].explanation["features"]  # the engine's own explanation, kept whole
    # other regions come after the partner's: the polyol for the park's sponge makers is made in Zhuzhou
    polyol = {n.name: n for n in api.parkfit.chain_gaps(workspace=workspace, chain="29").chains[0].missing}["聚醚多元醇"]
    assert not polyol.partner and polyol.others[0].name == "湖南新瑞聚氨酯材料有限公司（虚构）"
    assert polyol.others[0].side == "other" and "恒通" in "".join(polyol.users)


def test_gap_candidates_are_the_matching_engines_ranking(demo) -> None:
    """No second ranker: the candidates for a node are what the engine returns for the park asking for it."""
    from copark.core.vocab import DEMO_SOURCE
    from copark.matching.engine import PairRule
    from copark.matching.features import ItemDoc, OrgDoc
    from copark.services.opportunities import build_engine

    workspace, _ = demo
    report = api.parkfit.chain_gaps(workspace=workspace, chain="35", other_top=0)
    node = {n.name: n for n in report.chains[0].missing}["雾化器"]
    with workspace.transaction() as session:
        from sqlalchemy import select

        from copark.storage.tables import Park

        park = session.scalar(select(Park).where(Park.source == DEMO_SOURCE))
        asker = OrgDoc(id=-1, name=park.name, kind="government", region_code=park.region_code, industry_code="35",
                       positioning=tuple(park.positioning))
        engine, _ = build_engine(session=session, regions=workspace.regions, askers=[asker])
        matches = engine.match_need(ItemDoc(None, -1, "need", "product", "雾化器"), top=5,
                                    rule=PairRule(True, ((park.region_code, park.partner_region_code),)))
    assert [c.offer_text for c in node.partner] == [m.offer.text for m in matches]
    assert node.partner[0].name == "可孚医疗科技股份有限公司"


def test_chain_gaps_bad_inputs(demo, tmp_path: Path) -> None:
    workspace, _ = demo
    with pytest.raises(CoparkError, match="主导产业中没有“粮油”") as error:
        api.parkfit.chain_gaps(workspace=workspace, chain="粮油")
    assert "29、30、39" in error.value.hint
    with pytest.raises(NotFound, match="没有这个园区"):
        api.parkfit.chain_gaps(workspace=workspace, park="没有这个园区")
    with pytest.raises(CoparkError, match="无法写入"):
        api.parkfit.chain_gaps(workspace=workspace, chain="39", path=tmp_path / "清单.pdf")
    with pytest.raises(CoparkError, match="候选数量"):
        api.parkfit.chain_gaps(workspace=workspace, chain="39", partner_top=99)


# ---- the CLI ------------------------------------------------------------------------------------------------------


def test_cli_assess_and_gaps(demo, tmp_path: Path) -> None:
    workspace, url = demo
    grain = _project(workspace, GRAIN)
    result = runner.invoke(app, ["-d", url, "assess", "--project", str(grain)])
    assert result.exit_code == 0, result.output
    for text in ("不契合（0分）", "不在主导产业", "本地无上游配套", "油菜籽", "示意性数据"):
        assert text in result.output
    bad = runner.invoke(app, ["-d", url, "assess"])
    assert bad.exit_code == 1 and "二选一" in bad.output
    book = tmp_path / "招商目标.xlsx"
    result = runner.invoke(app, ["-d", url, "gaps", "--chain", "39", "--top", "2", "-o", str(book)])
    assert result.exit_code == 0, result.output
    assert "缺失环节" in result.output and "长沙联芯电子科技有限公司（虚构）" in result.output
    rows = [[str(v or "") for v in row] for row in load_workbook(book)["缺失环节与候选企业"].iter_rows(values_only=True)]
    assert "示意性数据" in rows[0][0] and rows[1][:3] == ["主导产业", "环节", "位置"]
    assert any(r[1] == "PCBA" and r[7] == "长沙联芯电子科技有限公司（虚构）" and r[5] == "合作地区" for r in rows)
    listed = tmp_path / "招商目标.csv"
    assert runner.invoke(app, ["-d", url, "gaps", "--chain", "35", "-o", str(listed)]).exit_code == 0
    with listed.open(encoding="utf-8-sig") as handle:
        assert any("可孚医疗科技股份有限公司" in row for row in csv.reader(handle))
    unknown = runner.invoke(app, ["-d", url, "gaps", "--chain", "99"])
    assert unknown.exit_code == 1 and "没有“99”" in unknown.output
