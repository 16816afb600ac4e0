"""Streaming readers for the ChainKnowledgeGraph dump (chainkg/*.jsonl: listed firms, products, relations)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copark.core.errors import CoparkError
from copark.locale import t

COMPANY_FILE = "company.jsonl"
COMPANY_INDUSTRY_FILE = "company_industry.jsonl"
COMPANY_PRODUCT_FILE = "company_product.jsonl"
PRODUCT_PRODUCT_FILE = "product_product.jsonl"

RELATIONS = ("上游材料", "产品小类", "下游产品")


@dataclass(frozen=True)
class ChainCompany:
    """A listed company with its Shenwan industry (codes without the .SH/.SZ suffix)."""

    code: str
    name: str
    fullname: str
    industry_code: str
    industry_name: str


@dataclass
class ChainKgData:
    """The parts of chainkg the matcher uses, loaded into memory (a few MB)."""

    companies: list[ChainCompany] = field(default_factory=list)
    company_products: list[tuple[str, str, float]] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)


def strip_code(code: str) -> str:
    """`600373.SH` → `600373`; exchange suffixes differ between chainkg files."""
    return code.strip().split(".", 1)[0]


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) per non-blank line; a bad line raises CoparkError naming file and line."""
    if not path.is_file():
        raise CoparkError(
            t("evaluate.chainkg_missing_file", file=path.name),
            t("evaluate.chainkg_missing_file_fix"),
            where=str(path.parent),
        )
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise CoparkError(t("evaluate.chainkg_not_utf8"), t("evaluate.chainkg_bad_line_fix"),
                                  where=f"{path.name}:{number}") from None
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CoparkError(
                    t("evaluate.chainkg_bad_json", error=exc.msg),
                    t("evaluate.chainkg_bad_line_fix"),
                    where=where,
                ) from None
            if not isinstance(row, dict):
                raise CoparkError(t("evaluate.chainkg_not_object"), t("evaluate.chainkg_bad_line_fix"), where=where)
            missing = [key for key in required if not isinstance(row.get(key), str) or not row[key].strip()]
            if missing:
                raise CoparkError(
                    t("evaluate.chainkg_missing_field", fields="、".join(missing)),
                    t("evaluate.chainkg_bad_line_fix"),
                    where=where,
                )
            yield number, row


def read_companies(directory: str | Path) -> Iterator[ChainCompany]:
    """Companies of company.jsonl joined with their industry; firms only in company_industry.jsonl follow."""
    directory = Path(directory)
    industries: dict[str, tuple[str, str, str]] = {}
    for _, row in _rows(directory / COMPANY_INDUSTRY_FILE, ("company_code", "industry_code", "industry_name")):
        industries.setdefault(
            strip_code(row["company_code"]),
            (str(row.get("company_name") or ""), row["industry_code"].strip(), row["industry_name"].strip()),
        )
    seen: set[str] = set()
    for _, row in _rows(directory / COMPANY_FILE, ("code", "name")):
        code = strip_code(row["code"])
        if code in seen:  # the same firm appears with and without its exchange suffix
            continue
        seen.add(code)
        _, industry_code, industry_name = industries.get(code, ("", "", ""))
        yield ChainCompany(code, row["name"].strip(), str(row.get("fullname") or "").strip(), industry_code, industry_name)
    for code, (name, industry_code, industry_name) in industries.items():
        if code not in seen and name:
            yield ChainCompany(code, name.strip(), "", industry_code, industry_name)


def read_company_products(directory: str | Path) -> Iterator[tuple[str, str, float]]:
    """(company_code, product_name, revenue weight 0–1; 0.001 means unknown) per company_product.jsonl line."""
    path = Path(directory) / COMPANY_PRODUCT_FILE
    for number, row in _rows(path, ("company_code", "product_name")):
        raw = row.get("rel_weight", 0.0)
        try:
            weight = float(raw if raw is not None else 0.0)
        except (TypeError, ValueError):
            raise CoparkError(
                t("evaluate.chainkg_bad_weight", value=raw),
                t("evaluate.chainkg_bad_line_fix"),
                where=f"{path.name}:{number}",
            ) from None
        yield strip_code(row["company_code"]), row["product_name"].strip(), weight


def read_product_relations(directory: str | Path) -> Iterator[tuple[str, str, str]]:
    """(from, rel, to) per product_product.jsonl line; rel is one of 上游材料/产品小类/下游产品."""
    path = Path(directory) / PRODUCT_PRODUCT_FILE
    for number, row in _rows(path, ("from_entity", "rel", "to_entity")):
        rel = row["rel"].strip()
        if rel not in RELATIONS:
            raise CoparkError(
                t("evaluate.chainkg_bad_rel", value=rel, allowed="/".join(RELATIONS)),
                t("evaluate.chainkg_bad_line_fix"),
                where=f"{path.name}:{number}",
            )
        yield row["from_entity"].strip(), rel, row["to_entity"].strip()


def load_chainkg(directory: str | Path) -> ChainKgData:
    """All three readers into memory; raises CoparkError if the directory is not a chainkg dump."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CoparkError(t("evaluate.chainkg_not_dir"), t("evaluate.chainkg_missing_file_fix"), where=str(directory))
    return ChainKgData(
        companies=list(read_companies(directory)),
        company_products=list(read_company_products(directory)),
        relations=list(read_product_relations(directory)),
    )
