"""`copark kb import`: GB/T 4754-2017 into `industry`, ChainKnowledgeGraph relations into kb_node/kb_relation and
its listed firms' product lists into kb_company (when the directory has company_product.jsonl; `copark fit` learns
from them beside the workspace's own lists).

Confidence of chainkg relations (mined from public text by patterns, never reviewed), documented here
because `--min-confidence` filters on it:

- every relation starts at 0.5 (curated relations are 0.8–1.0);
- 产品小类 whose sub-product does not end with the parent's name drops to 0.3: Chinese compounds put the
  head noun last, so 铸件 → 床身铸件 is a real subcategory while 黑芝麻 → 黑芝麻圆桶面包 is not;
- 上游材料 of something that looks like a dish or a recipe (…汤/粥/饼/糕/饺子, 红烧…, 炖…) drops to 0.15,
  a kitchen ingredient (盐、糖、水、大米、鸡蛋 …) as the input drops to 0.25, and both together to 0.1;
- a text fragment (one character, or starting with 以/和/及/大多/等) or a segment/accounting name
  (分部、项目、其他、合计、小计、抵销、板块、业务收入) on either end drops to 0.05.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from copark.core.errors import CoparkError
from copark.knowledge import store
from copark.knowledge.chainkg import COMPANY_PRODUCT_FILE
from copark.knowledge.graph import EdgeRecord
from copark.locale import t
from copark.workspace import Workspace

CHAINKG = "chainkg"
GBT = "gbt4754_2017"
BASE_CONFIDENCE = 0.5
LOOSE_SUBCATEGORY = 0.3
KITCHEN_INPUT = 0.25
DISH = 0.15
DISH_AND_KITCHEN = 0.1
FRAGMENT = 0.05

_REL_MAP = {"上游材料": "upstream", "产品小类": "subcategory", "下游产品": "upstream"}
_SEGMENT = re.compile(r"分部|项目|其他|其它|合计|小计|抵销|抵消|板块|业务收入|主营业务|平衡")
_FRAGMENT_START = ("以", "和", "及", "与", "或", "等", "大多", "主要", "其中", "如")
_DISH = re.compile(r"(汤|粥|羹|饼|糕|饺|饺子|包子|馒头|面条|炒饭|沙拉|布丁|奶昔|粽|馅|酥|蛋挞|丸子|寿司)$|红烧|清蒸|凉拌|炖|炒|焖|煲")
_KITCHEN = frozenset(
    "盐 食盐 精盐 糖 白糖 冰糖 白砂糖 细砂糖 红糖 糖粉 水 清水 温水 开水 大米 米饭 糯米 糯米粉 面粉 低筋面粉 高筋面粉 中筋面粉 "
    "高粉 低粉 鸡蛋 蛋黄 蛋清 蛋白 牛奶 黄油 奶油 酵母 豆腐 牛肉 猪肉 羊肉 鸡肉 五花肉 腊肉 火腿 虾仁 鱿鱼 土豆 山药 胡萝卜 "
    "番茄 白菜 白萝卜 萝卜 洋葱 西兰花 黄瓜 香菇 金针菇 杏鲍菇 蘑菇 红枣 山楂 柠檬 苹果 花生 芝麻 绿豆 红豆 蜂蜜 "
    "姜 生姜 葱 大葱 小葱 蒜 大蒜 醋 料酒 生抽 老抽 酱油 鸡精 味精 食用油 植物油 花生油 香油 花椒 辣椒 胡椒粉 八角 香菜".split()
)


@dataclass
class KbImportReport:
    """What `copark kb import` wrote."""

    industries_created: int = 0
    industries_updated: int = 0
    relations: store.LoadCounts | None = None
    companies: int | None = None  # firms with a product list; None: the chainkg directory has no company lists
    files: list[str] = field(default_factory=list)


def chainkg_confidence(src: str, rel: str, dst: str) -> float:
    """The confidence a mined chainkg relation gets under the rules in this module's docstring."""
    for name in (src, dst):
        if len(name) < 2 or name.startswith(_FRAGMENT_START) or _SEGMENT.search(name):
            return FRAGMENT
    if rel == "产品小类":
        return BASE_CONFIDENCE if dst.endswith(src) else LOOSE_SUBCATEGORY
    if rel == "上游材料":
        dish, kitchen = bool(_DISH.search(src)), dst in _KITCHEN
        if dish and kitchen:
            return DISH_AND_KITCHEN
        if dish:
            return DISH
        if kitchen:
            return KITCHEN_INPUT
    return BASE_CONFIDENCE


def chainkg_edges(directory: Path) -> Iterator[tuple[EdgeRecord, str]]:
    """product_product.jsonl as (edge, where) pairs; 下游产品 is turned round into an upstream edge."""
    from copark.knowledge.chainkg import PRODUCT_PRODUCT_FILE, read_product_relations

    for number, (src, rel, dst) in enumerate(read_product_relations(directory), start=1):
        confidence = chainkg_confidence(src, rel, dst)
        if rel == "下游产品":  # `to` is made from `from`: so `from` is an input of `to`
            src, dst = dst, src
        yield EdgeRecord(src, _REL_MAP[rel], dst, "material" if rel != "产品小类" else "", 1.0, confidence,
                         CHAINKG), f"{PRODUCT_PRODUCT_FILE} #{number}"


def chainkg_companies(directory: Path) -> Iterator[store.CompanyRecord]:
    """Firms of company.jsonl/company_industry.jsonl with their company_product.jsonl products, best first (revenue
    weight descending, then file order; duplicates dropped); firms without a product are left out."""
    from copark.knowledge.chainkg import read_companies, read_company_products

    listed: dict[str, list[tuple[float, str]]] = {}
    for code, product, weight in read_company_products(directory):
        listed.setdefault(code, []).append((weight, product))
    for company in read_companies(directory):
        products = listed.get(company.code)
        if not products:
            continue
        best_first = sorted(products, key=lambda pair: -pair[0])  # stable: equal weights keep file order
        yield store.CompanyRecord(CHAINKG, company.code, company.name, company.fullname, company.industry_name,
                                  tuple(dict.fromkeys(product for _, product in best_first)))


_GBT_PATTERN = {1: re.compile(r"[A-T]"), 2: re.compile(r"\d{2}"), 3: re.compile(r"\d{3}"), 4: re.compile(r"\d{4}")}
_GBT_COLUMNS = ("code", "name", "level", "parent", "section")


def gbt_rows(path: Path) -> Iterator[dict[str, object]]:
    """Industry rows of a GB/T 4754-2017 CSV (code,name,level,parent,section[,description]); bad rows raise."""
    if not path.is_file():
        raise CoparkError(t("kb.import.no_file", path=str(path)), t("kb.import.no_file.fix"))
    try:
        yield from _gbt_rows(path)
    except UnicodeDecodeError as exc:  # an .xlsx or a GBK file given where UTF-8 CSV is expected
        raise CoparkError(t("kb.gbt.not_utf8"), t("kb.gbt.not_utf8.fix"), where=path.name) from exc


def _gbt_rows(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _GBT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CoparkError(t("kb.gbt.missing_columns", columns="、".join(missing)), t("kb.gbt.fix"),
                              where=path.name)
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}:{line}"
            code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
            level_text = (row.get("level") or "").strip()
            level = int(level_text) if level_text.isdigit() else 0
            if level not in _GBT_PATTERN:
                raise CoparkError(t("kb.gbt.bad_level", value=level_text), t("kb.gbt.fix"), where=where)
            if not _GBT_PATTERN[level].fullmatch(code):
                raise CoparkError(t("kb.gbt.bad_code", value=code, level=level), t("kb.gbt.fix"), where=where)
            if not name:
                raise CoparkError(t("kb.gbt.no_name", code=code), t("kb.gbt.fix"), where=where)
            yield {
                "code": code, "name": name[:128], "level": level,
                "parent": (row.get("parent") or "").strip() or None,
                "section": (row.get("section") or "").strip()[:1] or code[:1],
                "description": (row.get("description") or "").strip(),
            }


def import_knowledge(*, workspace: Workspace, gbt: Path | None = None, chainkg: Path | None = None,
                     min_confidence: float = 0.0) -> KbImportReport:
    """Load GB/T 4754 and/or chainkg in one transaction: all or nothing, re-import replaces that source (its
    relations, and its companies when the directory has company_product.jsonl; without it they are kept)."""
    if gbt is None and chainkg is None:
        raise CoparkError(t("kb.import.nothing"), t("kb.import.nothing.fix"))
    if not 0.0 <= min_confidence <= 1.0:
        raise CoparkError(t("kb.import.bad_min_confidence", value=min_confidence), t("kb.import.bad_min_confidence.fix"))
    if chainkg is not None and not Path(chainkg).is_dir():
        raise CoparkError(t("kb.import.no_dir", path=str(chainkg)), t("kb.import.no_file.fix"))
    report = KbImportReport()
    with workspace.transaction() as session:
        if gbt is not None:
            report.industries_created, report.industries_updated = store.upsert_industries(
                session=session, rows=gbt_rows(Path(gbt)), source=GBT)
            report.files.append(str(gbt))
        if chainkg is not None:
            report.relations = store.replace_relations(
                session=session, source=CHAINKG, edges=chainkg_edges(Path(chainkg)), min_confidence=min_confidence)
            if (Path(chainkg) / COMPANY_PRODUCT_FILE).is_file():
                report.companies = store.replace_companies(
                    session=session, source=CHAINKG, companies=chainkg_companies(Path(chainkg)))
            report.files.append(str(chainkg))
    return report
