"""Built-in knowledge data (contract B): industries.csv, products_*.csv and relations_*.csv are well formed."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import SHARED_DATA, requires_shared

DATA = Path(__file__).resolve().parents[1] / "src" / "copark" / "knowledge" / "data"
KINDS = {"material", "component", "equipment", "service", "energy", "technology", "talent"}
RELS = {"upstream", "subcategory"}
# Divisions whose groups and classes are all listed (the ones copark's chains touch); others are partial.
DETAILED = ("13", "14", "17", "18", "19", "20", "22", "24", "26", "27", "28", "29", "30", "31", "32", "33", "34",
            "35", "38", "39", "40", "41", "44", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57",
            "58", "59", "60")
GBT = SHARED_DATA / "gbt4754_2017" / "gbt4754_2017.csv"


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _industries() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in _rows(DATA / "industries.csv")[1]}


def _products() -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Product name → (file, row) for every declaration in every products_*.csv."""
    found: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for path in sorted(DATA.glob("products_*.csv")):
        for row in _rows(path)[1]:
            found[row["name"].strip()].append((path.name, row))
    return found


def _relations() -> list[tuple[str, int, dict[str, str]]]:
    out = []
    for path in sorted(DATA.glob("relations_*.csv")):
        for line, row in enumerate(_rows(path)[1], start=2):
            out.append((path.name, line, row))
    return out


# ---- industries.csv -------------------------------------------------------------------------------


def test_industries_header_and_hierarchy() -> None:
    header, rows = _rows(DATA / "industries.csv")
    assert header == ["code", "name", "level", "parent", "section", "description"]
    codes = Counter(row["code"] for row in rows)
    assert [c for c, n in codes.items() if n > 1] == []
    by_code = {row["code"]: row for row in rows}
    levels = Counter(row["level"] for row in rows)
    assert levels["1"] == 20 and levels["2"] == 97
    assert {row["code"] for row in rows if row["level"] == "1"} == set("ABCDEFGHIJKLMNOPQRST")
    for row in rows:
        code, level = row["code"], int(row["level"])
        assert row["name"] and row["name"] == row["name"].strip(), code
        if level == 1:
            assert row["parent"] == "" and row["section"] == code
            continue
        assert len(code) == level, f"{code}: level {level} needs {level} digits"
        assert code.isdigit(), code
        parent = by_code.get(row["parent"])
        assert parent is not None, f"{code}: parent {row['parent']} missing"
        assert int(parent["level"]) == level - 1, code
        assert level == 2 or code.startswith(row["parent"]), code
        assert row["section"] == parent["section"], code


def test_industries_cover_the_chain_divisions_in_full() -> None:
    codes = _industries()
    # Divisions whose groups and classes copark's chains need (see the KBDATA brief).
    for division in DETAILED:
        groups = [c for c in codes if len(c) == 3 and c.startswith(division)]
        assert groups, f"division {division} has no groups"
        for group in groups:
            assert any(len(c) == 4 and c.startswith(group) for c in codes), f"group {group} has no classes"
    assert codes["3581"]["name"] == "医疗诊断、监护及治疗设备制造"
    assert codes["1781"]["name"] == "非织造布制造"
    assert codes["2441"]["name"] == "球类制造"


@requires_shared
def test_industries_agree_with_the_published_standard() -> None:
    with GBT.open(encoding="utf-8", newline="") as handle:
        reference = {row["code"].strip(): row for row in csv.DictReader(handle)}
    wrong = []
    for code, row in _industries().items():
        ref = reference.get(code)
        if ref is None:
            wrong.append((code, row["name"], None))
        elif (row["name"], row["level"], row["parent"], row["section"]) != (
                ref["name"].strip(), ref["level"].strip(), ref["parent"].strip(), ref["section"].strip()):
            wrong.append((code, row["name"], ref["name"].strip()))
    assert wrong == []
    mine = _industries()
    # All sections and divisions, and every group and class of the detailed divisions, are present.
    missing = [c for c, r in reference.items() if r["level"] in ("1", "2") and c not in mine]
    missing += [c for c, r in reference.items() if r["level"] in ("3", "4") and c[:2] in DETAILED and c not in mine]
    assert missing == []


# ---- products_*.csv -------------------------------------------------------------------------------


def test_product_files_are_well_formed() -> None:
    codes = _industries()
    paths = sorted(DATA.glob("products_*.csv"))
    assert len(paths) >= 5
    for path in paths:
        header, rows = _rows(path)
        assert header == ["name", "industry_code", "aliases", "chain"], path.name
        chain = path.stem.removeprefix("products_")
        assert (DATA / f"relations_{chain}.csv").is_file(), f"{path.name} has no relations file"
        names = Counter(row["name"].strip() for row in rows)
        assert [n for n, k in names.items() if k > 1] == [], f"{path.name}: duplicate names"
        for line, row in enumerate(rows, start=2):
            where = f"{path.name}:{line}"
            assert row["name"] and row["name"] == row["name"].strip(), where
            assert row["chain"] == chain, where
            assert row["industry_code"] in codes, f"{where}: unknown industry code {row['industry_code']!r}"
            aliases = [a for a in row["aliases"].split(";") if a]
            assert all(a == a.strip() and a != row["name"] for a in aliases), where
            assert len(set(aliases)) == len(aliases), where


def test_a_product_name_is_never_an_alias_of_a_different_product_in_the_same_file() -> None:
    # Within one file, an alias that is also a product name would make that name ambiguous.
    for path in sorted(DATA.glob("products_*.csv")):
        rows = _rows(path)[1]
        names = {row["name"] for row in rows}
        clashes = [(row["name"], alias) for row in rows for alias in row["aliases"].split(";") if alias in names]
        assert clashes == [], path.name


# ---- relations_*.csv ------------------------------------------------------------------------------


def test_relation_files_are_well_formed() -> None:
    products = _products()
    for path in sorted(DATA.glob("relations_*.csv")):
        header, _ = _rows(path)
        assert header == ["from", "rel", "to", "kind", "weight", "confidence", "note"], path.name
    problems = []
    for name, line, row in _relations():
        where = f"{name}:{line}"
        if row["rel"] not in RELS:
            problems.append(f"{where}: rel {row['rel']!r}")
        if row["rel"] == "upstream" and row["kind"] not in KINDS:
            problems.append(f"{where}: kind {row['kind']!r}")
        if row["rel"] == "subcategory" and row["kind"]:
            problems.append(f"{where}: subcategory with kind {row['kind']!r}")
        for column in ("weight", "confidence"):
            try:
                value = float(row[column])
            except ValueError:
                problems.append(f"{where}: {column} {row[column]!r}")
                continue
            if not 0.0 < value <= 1.0:
                problems.append(f"{where}: {column} {value} outside (0, 1]")
        for end in ("from", "to"):
            if row[end] not in products:
                problems.append(f"{where}: {end} {row[end]!r} is not a declared product")
        if row["from"] == row["to"]:
            problems.append(f"{where}: self-loop {row['from']}")
    assert problems == []


def test_no_duplicate_relations() -> None:
    seen: dict[tuple[str, str, str], str] = {}
    duplicates = []
    for name, line, row in _relations():
        key = (row["from"], row["rel"], row["to"])
        if key in seen:
            duplicates.append(f"{name}:{line} repeats {seen[key]}: {key}")
        seen.setdefault(key, f"{name}:{line}")
    assert duplicates == []


def test_no_subcategory_cycles() -> None:
    children: dict[str, set[str]] = defaultdict(set)
    for _, _, row in _relations():
        if row["rel"] == "subcategory":
            children[row["from"]].add(row["to"])
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for child in children.get(node, ()):
            if state.get(child) == 1:
                pytest.fail(f"subcategory cycle: {' > '.join([*path, node, child])}")
            if child not in state:
                visit(child, [*path, node])
        state[node] = 2

    for node in list(children):
        if node not in state:
            visit(node, [])


def test_an_input_is_not_also_a_subcategory_of_its_product() -> None:
    # "B is a kind of A" and "B is an input of A" cannot both hold.
    subcategory = {(r["from"], r["to"]) for _, _, r in _relations() if r["rel"] == "subcategory"}
    both = [(r["from"], r["to"]) for _, _, r in _relations() if r["rel"] == "upstream" and (r["from"], r["to"]) in subcategory]
    assert both == []


def test_curated_graph_is_large_enough() -> None:
    relations = _relations()
    per_file = Counter(name for name, _, _ in relations)
    mine = ("medical", "electronics", "materials", "textiles", "sports")
    assert sum(per_file[f"relations_{c}.csv"] for c in mine) >= 1100
    # Both KBDATA engineers together.
    assert len(relations) >= 2000


def test_key_chain_facts_are_present() -> None:
    edges = {(r["from"], r["rel"], r["to"]) for _, _, r in _relations()}
    for edge in [
        ("制氧机", "upstream", "分子筛"),
        ("石英晶体谐振器", "upstream", "石英晶片"),
        ("石英晶片", "upstream", "人造水晶"),
        ("印制电路板", "upstream", "覆铜板"),
        ("羽毛球", "upstream", "鹅毛"),
        ("羽绒服", "upstream", "鹅绒"),
        ("医用口罩", "upstream", "熔喷布"),
        ("过滤材料", "subcategory", "空气过滤材料"),
        ("空气过滤材料", "subcategory", "过滤棉"),
        ("医疗器械", "subcategory", "家用医疗器械"),
        ("家用医疗器械", "subcategory", "制氧机"),
    ]:
        assert edge in edges, edge
    aliases = {a: name for name, decls in _products().items() for _, row in decls for a in row["aliases"].split(";")}
    assert aliases["晶振"] == "石英晶体振荡器"
    assert aliases["非织造布"] == "无纺布"
    assert aliases["PCB"] == aliases["线路板"] == "印制电路板"
    assert aliases["泡棉"] == "海绵"
