"""`copark classify`: the GB/T 4754 industry of a text, with the evidence and matched product nodes."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from copark.cli.base import GuardedTyper, console
from copark.core.errors import CoparkError
from copark.locale import t

_MAX_TOP = 20


def _why(guess: object) -> str:
    reasons: list[str] = []
    for item in guess.evidence[:4]:  # type: ignore[attr-defined]
        if item.source == "product":
            reasons.append(t("classify.why.product", node=item.node, term=item.term, how=t(f"classify.how.{item.how}")))
        elif item.source == "keyword":
            reasons.append(t("classify.why.keyword", term=item.term))
        else:
            reasons.append(t("classify.why.ngram"))
    return "；".join(dict.fromkeys(reasons))


def classify_command(
    text: Annotated[str, typer.Argument(help=t("classify.arg.text"))] = "",
    top: Annotated[int, typer.Option("--top", "-n", help=t("classify.opt.top"))] = 3,
    as_json: Annotated[bool, typer.Option("--json", help=t("classify.opt.json"))] = False,
) -> None:
    from copark.knowledge.classify import classify_industry, match_products
    from copark.knowledge.text import strip_quantities

    if not text.strip() or not strip_quantities(text):
        raise CoparkError(t("classify.empty"), t("classify.empty.fix"))
    if not 1 <= top <= _MAX_TOP:
        raise CoparkError(t("classify.bad_top", value=top), t("classify.bad_top.fix"))
    guesses = classify_industry(text, top=top)
    matches = match_products(text)
    if as_json:
        payload = {
            "text": text,
            "guesses": [asdict(g) for g in guesses],
            "nodes": [asdict(m) for m in matches],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not guesses:
        raise CoparkError(t("classify.none", text=text), t("classify.none.fix"))
    table = Table(title=t("classify.title", text=escape(text)))
    for column in ("rank", "code", "name", "score", "why"):
        table.add_column(t(f"classify.col.{column}"), overflow="fold")
    for rank, guess in enumerate(guesses, 1):
        table.add_row(str(rank), guess.code, escape(guess.name), f"{guess.score:.2f}", escape(_why(guess)))
    console.print(table)
    if not matches:
        console.print(t("classify.nodes.none"))
        return
    nodes = Table(title=t("classify.nodes.title"))
    for column in ("node", "term", "how", "industry"):
        nodes.add_column(t(f"classify.col.{column}"))
    for match in matches:
        nodes.add_row(escape(match.name), escape(match.term), t(f"classify.how.{match.how}"), match.industry_code)
    console.print(nodes)


def register(app: GuardedTyper) -> None:
    """Add `copark classify` to the root app."""
    app.command("classify", help=t("classify.help"))(classify_command)
