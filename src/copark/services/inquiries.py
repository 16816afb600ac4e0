"""询盘与出口订单 (inquiries and export orders): a buyer's inquiry from the public showcase becomes a lead that the
park's staff and the producing enterprise work (new → contacted → ordered, or closed); an export order (product,
destination country, amount, date) is entered by staff, from an inquiry or on its own, and feeds the KPI 出口国家和地区.

Inquiries are their own records rather than 招商项目 or docking records: a buyer is neither an enterprise coming to
build in the park nor an organization with lists, and its contact is personal information seen only by those who
answer it (services.access.mask_contact for everyone else).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError, Problem, ValidationFailed
from copark.locale import t
from copark.services.access import Actor, Forbidden, NotFound
from copark.services.accounts import Role
from copark.services.brief import park_side
from copark.storage.tables import ExportOrder, Inquiry, Organization, Park

#: Inquiries one sender (address) may send per window: a buyer asking about a few products in a sitting passes,
#: a script filling the lead list does not (it gets 429 until the window has passed).
INQUIRY_LIMIT = 5
INQUIRY_WINDOW = dt.timedelta(minutes=10)
#: Field limits of the public form (characters), the same in the form's maxlength attributes and here.
LIMITS = {"buyer_name": 64, "company": 128, "contact": 128, "country": 64, "quantity": 64, "message": 2000}
REQUIRED = ("buyer_name", "contact", "country")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InquiryStatus(StrEnum):
    """询盘状态."""

    new = "new"
    contacted = "contacted"
    ordered = "ordered"
    closed = "closed"


@dataclass
class InquiryInput:
    """What a buyer types into the showcase form."""

    buyer_name: str = ""
    company: str = ""
    contact: str = ""
    country: str = ""
    quantity: str = ""
    message: str = ""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def clean(data: InquiryInput) -> InquiryInput:
    """The input trimmed and checked field by field; ValidationFailed lists every problem (where, what, fix)."""
    values = {name: _CONTROL.sub("", str(getattr(data, name) or "")).strip() for name in LIMITS}
    problems: list[Problem] = []
    for name, limit in LIMITS.items():
        where = t(f"inquiry.field.{name}")
        if name in REQUIRED and not values[name]:
            problems.append(Problem(where, t("web.error.required"), t(f"inquiry.fix.{name}")))
        elif len(values[name]) > limit:
            problems.append(Problem(where, t("web.error.too_long", max=limit), t("web.error.too_long.fix")))
    contact = values["contact"]
    if contact and len(contact) <= LIMITS["contact"] and not (
            _EMAIL.search(contact) or len(re.sub(r"\D", "", contact)) >= 7):
        problems.append(Problem(t("inquiry.field.contact"), t("inquiry.bad_contact"), t("inquiry.fix.contact")))
    if problems:
        raise ValidationFailed(problems, t("inquiry.invalid", count=len(problems)))
    return InquiryInput(**values)


def submit(*, session: Session, park: Park, item_id: int, product: str, organization_id: int, data: InquiryInput,
           sender: str) -> Inquiry:
    """Store a checked inquiry about a showcased product; CoparkError (429 on the web) past the sender's limit."""
    since = now() - INQUIRY_WINDOW
    sent = session.scalar(select(func.count()).select_from(Inquiry).where(Inquiry.sender == sender,
                                                                         Inquiry.created_at >= since)) or 0
    if sent >= INQUIRY_LIMIT:
        raise InquiryThrottled(t("inquiry.throttled", minutes=int(INQUIRY_WINDOW.total_seconds() // 60)),
                               t("inquiry.throttled.fix"))
    data = clean(data)
    row = Inquiry(park_id=park.id, item_id=item_id, organization_id=organization_id, product=product[:255],
                  buyer_name=data.buyer_name, company=data.company, contact=data.contact, country=data.country,
                  quantity=data.quantity, message=data.message, status=InquiryStatus.new.value, sender=sender[:64],
                  created_at=now(), updated_at=now())
    session.add(row)
    session.flush()
    return row


class InquiryThrottled(CoparkError):
    """Too many inquiries from one sender: the web answers 429."""


def visible(session: Session, actor: Actor) -> list[Inquiry]:
    """The inquiries the actor may see, newest first: administrators and viewers all, operators their park's,
    an enterprise user those about its own products."""
    query = select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if actor.role == Role.operator:
        query = query.where(Inquiry.park_id == (actor.park_id or -1))
    elif actor.is_org_user:
        query = query.where(Inquiry.organization_id == (actor.organization_id or -1))
    return list(session.scalars(query))


def sees_buyer(session: Session, actor: Actor, inquiry: Inquiry) -> bool:
    """Who answers the buyer sees the contact unmasked: administrators, the park's operators, the producer."""
    if actor.role == Role.admin:
        return True
    if actor.role == Role.operator:
        return actor.park_id == inquiry.park_id
    return actor.is_org_user and inquiry.organization_id is not None and actor.organization_id == inquiry.organization_id


def get(session: Session, actor: Actor, inquiry_id: int) -> Inquiry:
    row = session.get(Inquiry, inquiry_id)
    if row is None:
        raise NotFound(t("inquiry.not_found", id=inquiry_id), t("web.error.not_found.fix"))
    if row.id not in {i.id for i in visible(session, actor)}:
        raise Forbidden(t("inquiry.forbidden", id=inquiry_id), t("web.error.forbidden.fix"))
    return row


def set_status(*, session: Session, actor: Actor, inquiry_id: int, status: str) -> Inquiry:
    """Move an inquiry to another status (the park's staff or the producing enterprise; not viewers)."""
    row = get(session, actor, inquiry_id)
    if not sees_buyer(session, actor, row):
        raise Forbidden(t("web.error.read_only"), t("web.error.forbidden.fix"))
    try:
        row.status = InquiryStatus(status).value
    except ValueError:
        raise CoparkError(t("web.error.bad_choice", value=str(status)[:20]),
                          t("web.error.bad_choice.fix", choices="、".join(s.value for s in InquiryStatus)),
                          where=t("inquiry.field.status")) from None
    row.updated_at = now()
    session.flush()
    return row


@dataclass
class OrderInput:
    """An export order as staff enter it."""

    organization: str  # the enterprise's name or id
    product: str
    country: str
    amount: float
    ordered_on: dt.date
    inquiry_id: int | None = None


def add_order(*, session: Session, actor: Actor, park: Park, data: OrderInput) -> ExportOrder:
    """Record an export order of a park enterprise (staff only); from an inquiry, that inquiry becomes 已下单."""
    if not actor.can_review:
        raise Forbidden(t("order.staff_only"), t("web.error.forbidden.fix"))
    problems: list[Problem] = []
    ref = (data.organization or "").strip()
    org = (session.get(Organization, int(ref)) if ref.isdigit()
           else session.scalar(select(Organization).where(Organization.name == ref)))
    if org is None or not park_side(org, park):
        problems.append(Problem(t("order.field.enterprise"), t("order.unknown_enterprise", name=ref[:60],
                                                                  park=park.name), t("order.unknown_enterprise.fix")))
    for name, value, limit in (("product", data.product, 255), ("country", data.country, 64)):
        value = (value or "").strip()
        if not value:
            problems.append(Problem(t(f"order.field.{name}"), t("web.error.required"), t("web.error.required.fix")))
        elif len(value) > limit:
            problems.append(Problem(t(f"order.field.{name}"), t("web.error.too_long", max=limit),
                                    t("web.error.too_long.fix")))
    if data.amount is None or not data.amount > 0:
        problems.append(Problem(t("order.field.amount"), t("order.bad_amount"), t("web.error.not_amount.fix")))
    inquiry = None
    if data.inquiry_id is not None:
        inquiry = session.get(Inquiry, data.inquiry_id)
        if inquiry is None or inquiry.park_id != park.id:
            problems.append(Problem(t("order.field.inquiry"), t("inquiry.not_found", id=data.inquiry_id),
                                    t("web.error.not_found.fix")))
    if problems:
        raise ValidationFailed(problems, t("order.invalid", count=len(problems)))
    row = ExportOrder(park_id=park.id, organization_id=org.id, enterprise=org.name, product=data.product.strip(),
                      country=data.country.strip(), amount=float(data.amount), ordered_on=data.ordered_on,
                      inquiry_id=inquiry.id if inquiry else None, username=actor.username, created_at=now())
    session.add(row)
    if inquiry is not None:
        inquiry.status, inquiry.updated_at = InquiryStatus.ordered.value, now()
    session.flush()
    return row


def orders(*, session: Session, actor: Actor, park: Park) -> list[ExportOrder]:
    """The park's export orders, newest first (not for organization users, as the park figures)."""
    if actor.is_org_user:
        raise Forbidden(t("order.staff_only"), t("web.error.forbidden.fix"))
    return list(session.scalars(select(ExportOrder).where(ExportOrder.park_id == park.id)
                                .order_by(ExportOrder.ordered_on.desc(), ExportOrder.id.desc())))
