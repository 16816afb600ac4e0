"""清单条目 (items): add, edit, withdraw, restore, delete; inferred needs: infer, accept, dismiss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from copark.core.errors import CoparkError
from copark.core.vocab import Direction, InferredStatus, ItemKind, Origin
from copark.locale import labels, parse_label, t
from copark.services import audit
from copark.services.access import Actor, NotFound, check_org
from copark.workspace import Workspace

TEXT_MAX = 200
UNIT_MAX = 32
VALUE_TEXT_MAX = 64
NOTE_MAX = 500
QUANTITY_MAX = 1e12


@dataclass
class ItemInput:
    """What a person types for one item; every field is checked before anything is written."""

    text: str
    kind: str = ItemKind.product.value
    quantity: str | float | None = None
    unit: str = ""
    annual_value: str = ""
    note: str = ""


def _field(name: str) -> str:
    return t(f"web.field.{name}")


def _checked(data: ItemInput) -> dict[str, object]:
    """The item's column values, or CoparkError naming the field, what is wrong and how to fix it."""
    from copark.parsing.numbers import parse_amount

    text = (data.text or "").strip()
    if not text:
        raise CoparkError(t("web.error.required"), t("web.error.required.fix"), where=_field("text"))
    for value, most, name in ((text, TEXT_MAX, "text"), (data.unit or "", UNIT_MAX, "unit"),
                              (data.annual_value or "", VALUE_TEXT_MAX, "annual_value"),
                              (data.note or "", NOTE_MAX, "note")):
        if len(value) > most:
            raise CoparkError(t("web.error.too_long", max=most), t("web.error.too_long.fix"), where=_field(name))
    kind = parse_label(ItemKind, str(data.kind or ""))
    if kind is None:
        raise CoparkError(t("web.error.bad_choice", value=str(data.kind)[:40]),
                          t("web.error.bad_choice.fix", choices="、".join(labels(ItemKind).values())),
                          where=_field("kind"))
    quantity: float | None = None
    if data.quantity not in (None, ""):
        try:
            quantity = float(str(data.quantity).strip())
        except ValueError:
            raise CoparkError(t("web.error.not_number", value=str(data.quantity)[:40]), t("web.error.not_number.fix"),
                              where=_field("quantity")) from None
        if not 0 <= quantity <= QUANTITY_MAX:
            raise CoparkError(t("web.error.not_number", value=str(data.quantity)[:40]), t("web.error.not_number.fix"),
                              where=_field("quantity"))
    value_text = (data.annual_value or "").strip()
    try:
        amount = parse_amount(value_text) if value_text else None
    except CoparkError:
        amount = None
    if value_text and amount is None:
        raise CoparkError(t("web.error.not_amount", value=value_text), t("web.error.not_amount.fix"),
                          where=_field("annual_value"))
    return {"text": text, "kind": kind.value, "quantity": quantity, "unit": (data.unit or "").strip(),
            "annual_value": amount, "annual_value_text": value_text, "note": (data.note or "").strip()}


def _own_item(session, actor: Actor, item_id: int):  # noqa: ANN001, ANN202
    from copark.storage.tables import Item

    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(t("item.not_found", id=item_id), t("item.not_found.fix"))
    check_org(session, actor, item.organization_id, edit=True)
    return item


def add_item(*, workspace: Workspace, actor: Actor | None = None, org_id: int, direction: str,
             data: ItemInput) -> int:
    """A new declared offer or need of the organization; returns its id."""
    from copark.storage.tables import Item

    actor = actor or Actor.local()
    try:
        way = Direction(direction)
    except ValueError:
        raise CoparkError(t("web.error.bad_choice", value=str(direction)[:40]),
                          t("web.error.bad_choice.fix", choices="offer、need"), where=_field("direction")) from None
    values = _checked(data)
    with workspace.transaction() as session:
        org = check_org(session, actor, org_id, edit=True)
        item = Item(organization_id=org.id, direction=way.value, origin=Origin.declared.value, source="web",
                    **values)
        session.add(item)
        session.flush()
        audit.record(session, actor, "item.add", "item", item.id, organization=org.id)
        return item.id


def update_item(*, workspace: Workspace, actor: Actor | None = None, item_id: int, data: ItemInput) -> None:
    """Edit a declared item in place (its opportunities are recomputed by the next match)."""
    actor = actor or Actor.local()
    values = _checked(data)
    with workspace.transaction() as session:
        item = _own_item(session, actor, item_id)
        if item.origin == Origin.inferred:
            raise CoparkError(t("item.inferred", id=item_id, text=item.text), t("item.inferred.fix", id=item_id))
        changed = sorted(k for k, v in values.items() if getattr(item, k) != v)
        for key, value in values.items():
            setattr(item, key, value)
        if changed:
            audit.record(session, actor, "item.update", "item", item.id, fields=changed)


def _change(action: str, workspace: Workspace, actor: Actor | None, item_id: int):  # noqa: ANN202 - the Item
    from copark.services import items as service

    actor = actor or Actor.local()
    change = {"withdraw": service.withdraw_item, "restore": service.restore_item, "delete": service.delete_item}
    with workspace.transaction() as session:
        _own_item(session, actor, item_id)
        item = change[action](session=session, item_id=item_id)
        audit.record(session, actor, f"item.{action}", "item", item_id)
        return item


def withdraw_item(*, workspace: Workspace, actor: Actor | None = None, item_id: int):  # noqa: ANN201 - the Item
    """No longer listed: kept as history, out of matching."""
    return _change("withdraw", workspace, actor, item_id)


def restore_item(*, workspace: Workspace, actor: Actor | None = None, item_id: int):  # noqa: ANN201 - the Item
    return _change("restore", workspace, actor, item_id)


def delete_item(*, workspace: Workspace, actor: Actor | None = None, item_id: int):  # noqa: ANN201 - the Item
    return _change("delete", workspace, actor, item_id)


def infer(*, workspace: Workspace, actor: Actor | None = None, ref: str, offers: bool = False,
          accept: Sequence[int] = (), dismiss: Sequence[int] = ()):  # noqa: ANN201 - services.knowledge.InferView
    """Re-infer an organization's needs (or offers), or accept/dismiss some; returns the list after it."""
    from copark.services.knowledge import infer_for
    from copark.services.organizations import find_organization

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        org = find_organization(session=session, ref=ref)
        check_org(session, actor, org.id, edit=True)
        view = infer_for(session=session, ref=str(org.id), offers=offers, accept=accept, dismiss=dismiss)
        if accept or dismiss or view.inferred_now:
            audit.record(session, actor, "item.infer", "organization", org.id, accepted=list(accept),
                         dismissed=list(dismiss))
        return view


def review_inferred(*, workspace: Workspace, actor: Actor | None = None, item_id: int, accept: bool) -> None:
    """Accept or dismiss one inferred item."""
    actor = actor or Actor.local()
    with workspace.transaction() as session:
        item = _own_item(session, actor, item_id)
    status = InferredStatus.accepted if accept else InferredStatus.dismissed
    infer(workspace=workspace, actor=actor, ref=f"#{item.organization_id}",
          **({"accept": [item_id]} if status == InferredStatus.accepted else {"dismiss": [item_id]}))


def chain(*, workspace: Workspace, query: str, depth: int = 2, up: bool = True, down: bool = True):  # noqa: ANN201
    """The chain tree (产业链) of a product or industry code, with the database's organizations at each node."""
    from copark.services.knowledge import chain_for

    with workspace.transaction() as session:
        return chain_for(session=session, regions=workspace.regions, query=query, depth=depth, up=up, down=down)
