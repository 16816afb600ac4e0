"""CLI commands of copark.knowledge: `kb import`, `infer`, `chain`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.core.errors import CoparkError
from copark.core.vocab import Direction, InferredStatus, ItemKind
from copark.locale import label, t

if TYPE_CHECKING:
    from copark.knowledge.chains import ChainNode

kb_app = GuardedTyper(help=t("kb.help"))


@kb_app.command("import", help=t("kb.import.help"))
def kb_import(
    gbt: Annotated[Path | None, typer.Option("--gbt", help=t("kb.opt.gbt"))] = None,
    chainkg: Annotated[Path | None, typer.Option("--chainkg", help=t("kb.opt.chainkg"))] = None,
    min_confidence: Annotated[float, typer.Option("--min-confidence", help=t("kb.opt.min_confidence"))] = 0.0,
) -> None:
    from copark.knowledge.importers import CHAINKG, import_knowledge

    workspace = open_workspace()
    try:
        report = import_knowledge(workspace=workspace, gbt=gbt, chainkg=chainkg, min_confidence=min_confidence)
    finally:
        workspace.close()
    if gbt is not None:
        console.print(t("kb.import.done.industries", created=report.industries_created,
                        updated=report.industries_updated))
    if report.relations is not None:
        r = report.relations
        console.print(t("kb.import.done.relations", source=r.source, relations=r.relations, nodes=r.nodes,
                        skipped=r.skipped_low_confidence, duplicates=r.duplicates))
        for rel, count in sorted(r.by_rel.items()):
            console.print(t("kb.import.done.by_rel", rel=t(f"kb.rel.{rel}"), count=count))
    if report.companies is not None:
        console.print(t("kb.import.done.companies", source=CHAINKG, companies=report.companies))


def infer_command(
    org: Annotated[str, typer.Argument(help=t("infer.arg.org"))],
    offers: Annotated[bool, typer.Option("--offers", help=t("infer.opt.offers"))] = False,
    accept: Annotated[list[int] | None, typer.Option("--accept", help=t("infer.opt.accept"))] = None,
    dismiss: Annotated[list[int] | None, typer.Option("--dismiss", help=t("infer.opt.dismiss"))] = None,
) -> None:
    from copark import api

    both = sorted(set(accept or ()) & set(dismiss or ()))
    if both:  # applying both in turn would silently leave the item dismissed
        raise CoparkError(t("infer.accept_and_dismiss", ids="、".join(map(str, both))),
                          t("infer.accept_and_dismiss.fix"))
    workspace = open_workspace()
    try:
        view = api.infer(workspace=workspace, ref=org, offers=offers, accept=accept or (), dismiss=dismiss or ())
    finally:
        workspace.close()
    for status, count in view.reviewed.items():
        console.print(t(f"infer.{status}", count=count))
    if not view.rows:
        console.print(t("infer.none", org=view.organization))
        return
    title = t("infer.title.offers" if view.direction == Direction.offer else "infer.title.needs", org=view.organization)
    table = Table(title=title, show_lines=False)
    for column in ("id", "item", "kind", "confidence", "status", "path"):
        table.add_column(t(f"infer.col.{column}"), overflow="fold")
    for row in view.rows:
        table.add_row(str(row.id), escape(row.text), _kind_label(row.kind), f"{row.confidence:.2f}",
                      _status_label(row.status), escape(" → ".join(row.path)), style="dim" if row.status == "dismissed" else None)
    console.print(table)
    if not view.reviewed:
        console.print(t("infer.summary", proposed=view.inferred_now, accepted=view.count(InferredStatus.accepted),
                        dismissed=view.count(InferredStatus.dismissed)))


def _kind_label(kind: str) -> str:
    try:
        return label(ItemKind(kind))
    except ValueError:
        return kind


def _status_label(status: str) -> str:
    try:
        return label(InferredStatus(status))
    except ValueError:
        return status


def chain_command(
    query: Annotated[str, typer.Argument(help=t("chain.arg.query"))],
    depth: Annotated[int, typer.Option("--depth", "-n", help=t("chain.opt.depth"))] = 2,
    up: Annotated[bool, typer.Option("--up", help=t("chain.opt.up"))] = False,
    down: Annotated[bool, typer.Option("--down", help=t("chain.opt.down"))] = False,
) -> None:
    from copark import api

    workspace = open_workspace()
    try:
        tree = api.chain(workspace=workspace, query=query, depth=depth, up=up or not down, down=down or not up)
    finally:
        workspace.close()
    console.print(t("chain.matched", query=tree.query, names="、".join(r.name for r in tree.roots)))
    for root in tree.roots:
        view = Tree(f"[bold]{escape(root.name)}[/]{_orgs(root)}")
        for direction, heading in (("upstream", "chain.upstream"), ("downstream", "chain.downstream")):
            children: list[ChainNode] = getattr(root, direction)
            if children:
                _add(view.add(f"[cyan]{t(heading)}[/]"), children, root.more.get(direction, 0), direction)
        console.print(view)


def _orgs(node: ChainNode) -> str:
    groups = node.by_region()
    if not groups:
        return ""
    return "  " + escape("；".join(t("chain.orgs", region=region, names="、".join(o.name for o in orgs))
                                   for region, orgs in groups.items()))


def _add(branch: Tree, children: list[ChainNode], more: int, direction: str) -> None:
    for child in children:
        confidence = t("chain.confidence", value=f"{child.confidence:.2f}")
        sub = branch.add(f"{escape(child.name)} [dim]({confidence})[/]{_orgs(child)}")
        _add(sub, getattr(child, direction), child.more.get(direction, 0), direction)
    if more:
        branch.add(f"[dim]… (+{more})[/]")


def register(app: GuardedTyper) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(kb_app, name="kb")
    app.command("infer", help=t("infer.help"))(infer_command)
    app.command("chain", help=t("chain.help"))(chain_command)
