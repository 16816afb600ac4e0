"""推介与外贸: the 分行业推介 print page and its .pdf/.xlsx downloads, the public 产品展厅 with its inquiry form and
photos, the 询盘 list (with export orders), and their REST endpoints."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from copark import api
from copark.api import trade
from copark.core.errors import CoparkError, ValidationFailed
from copark.locale import t
from copark.services.inquiries import LIMITS, InquiryInput, InquiryStatus, InquiryThrottled, OrderInput
from copark.web.deps import (
    ActorDep,
    FormActor,
    PrincipalDep,
    WorkspaceDep,
    check_public_form,
    optional_principal,
    public_form_token,
    render,
    sender_digest,
    set_visitor_cookie,
)

router = APIRouter()
Short = Annotated[str, Query(max_length=100)]


# --- 分行业推介 -----------------------------------------------------------------------------------------------------

@router.get("/brief", include_in_schema=False)
def brief_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, industry: Short = "",
               chain: Short = "") -> Response:
    from copark.io.brief import summary_rows

    chains = trade.park_chains(workspace=workspace, actor=who.actor)
    brief = None
    if industry.strip() or chain.strip():
        brief = trade.brief(workspace=workspace, actor=who.actor, industry=industry or None, chain=chain or None)
    query = urlencode({k: v for k, v in (("industry", industry), ("chain", chain)) if v})
    return render(request, "brief.html", who, layout="base.html", css_href="/static/app/brief.css", brief=brief,
                  summary=summary_rows(brief) if brief else [],
                  choose={"industry": industry, "chain": chain, "chains": chains, "query": query},
                  demo=bool(brief and brief.illustrative))


@router.get("/brief.{suffix}", include_in_schema=False)
def brief_file(workspace: WorkspaceDep, who: PrincipalDep, suffix: str, industry: Short = "",
               chain: Short = "") -> Response:
    from copark.io.brief import check_suffix

    folder = Path(tempfile.mkdtemp(prefix="copark-brief-"))
    subject = re.sub(r"[^\w\-]", "", industry or chain or "")[:40]  # the download's name: no path parts
    path = folder / f"{t('web.nav.brief')}-{subject}.{suffix}"
    try:
        check_suffix(path)
        trade.write_brief(workspace=workspace, actor=who.actor, path=path, industry=industry or None,
                          chain=chain or None)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))


# --- 产品展厅 (public) ----------------------------------------------------------------------------------------------

@router.get("/showcase", include_in_schema=False)
def showcase_page(request: Request, workspace: WorkspaceDep, industry: Short = "", park: Short = "") -> Response:
    who = optional_principal(request, workspace)
    park_name, products = trade.showcase(workspace=workspace, park=park or None, industry=industry or None)
    return render(request, "showcase.html", who, park=park_name, products=products, industry=industry,
                  demo=any(p.illustrative for p in products))


def _product_page(request: Request, workspace, item_id: int, status_code: int = 200, **context) -> Response:  # noqa: ANN001
    who = optional_principal(request, workspace)
    product = trade.showcase_product(workspace=workspace, item_id=item_id)
    token, fresh = public_form_token(request)
    response = render(request, "showcase_product.html", who, status_code=status_code, product=product,
                      form_token=token, limits=LIMITS, form=context.pop("form", InquiryInput()),
                      demo=product.illustrative, **context)
    set_visitor_cookie(request, response, fresh)
    return response


@router.get("/showcase/{item_id}", include_in_schema=False)
def product_page(request: Request, workspace: WorkspaceDep, item_id: int) -> Response:
    return _product_page(request, workspace, item_id, sent=request.query_params.get("sent") == "1")


InquiryField = Annotated[str, Form(max_length=4000)]


@router.post("/showcase/{item_id}/inquiry", include_in_schema=False)
def inquiry_form(request: Request, workspace: WorkspaceDep, item_id: int, form_token: InquiryField = "",
                 buyer_name: InquiryField = "", company: InquiryField = "", contact: InquiryField = "",
                 country: InquiryField = "", quantity: InquiryField = "", message: InquiryField = "") -> Response:
    check_public_form(request, form_token)
    data = InquiryInput(buyer_name, company, contact, country, quantity, message)
    try:
        trade.submit_inquiry(workspace=workspace, item_id=item_id, data=data, sender=sender_digest(request))
    except ValidationFailed as failed:
        return _product_page(request, workspace, item_id, status_code=422, form=data, problems=failed.problems)
    except InquiryThrottled as error:
        return _product_page(request, workspace, item_id, status_code=429, form=data, throttled=error.problem)
    return RedirectResponse(f"/showcase/{item_id}?sent=1#inquiry", status_code=303)


@router.get("/showcase/photos/{photo_id}", include_in_schema=False)
def photo(workspace: WorkspaceDep, photo_id: int) -> Response:
    path, content_type = trade.photo_file(workspace=workspace, photo_id=photo_id)
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": "public, max-age=3600"})


@router.post("/offers/{item_id}/photo", include_in_schema=False)
async def upload_photo(workspace: WorkspaceDep, actor: FormActor, item_id: int, org_id: Annotated[int, Form()],
                       file: UploadFile | None = None) -> Response:
    from copark.services.showcase import PHOTO_MAX_BYTES

    if file is None or not file.filename:
        raise CoparkError(t("showcase.photo_missing"), t("showcase.photo_type.fix"), where=t("showcase.photo"))
    data = await file.read(PHOTO_MAX_BYTES + 1)  # one byte more than allowed tells a file that is too large
    trade.set_photo(workspace=workspace, actor=actor, item_id=item_id, data=data)
    return RedirectResponse(f"/orgs/{org_id}?saved=1#item-{item_id}", status_code=303)


# --- 询盘 and 出口订单 -------------------------------------------------------------------------------------------------

def _inquiries_page(request: Request, workspace, who, status_code: int = 200, **context) -> Response:  # noqa: ANN001
    rows = trade.list_inquiries(workspace=workspace, actor=who.actor)
    orders = [] if who.actor.is_org_user else trade.list_export_orders(workspace=workspace, actor=who.actor)
    return render(request, "inquiries.html", who, status_code=status_code, inquiries=rows, orders=orders,
                  statuses=[s.value for s in InquiryStatus], today=dt.date.today().isoformat(),
                  money=api.operations.format_money, demo=api.has_demo_data(workspace=workspace), **context)


@router.get("/inquiries", include_in_schema=False)
def inquiries_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep) -> Response:
    return _inquiries_page(request, workspace, who)


@router.post("/inquiries/{inquiry_id}/status", include_in_schema=False)
def status_form(workspace: WorkspaceDep, actor: FormActor, inquiry_id: int,
                status: Annotated[str, Form(max_length=16)] = "") -> Response:
    trade.set_inquiry_status(workspace=workspace, actor=actor, inquiry_id=inquiry_id, status=status)
    return RedirectResponse(f"/inquiries#inquiry-{inquiry_id}", status_code=303)


OrderField = Annotated[str, Form(max_length=300)]


@router.post("/orders", include_in_schema=False)
def order_form(request: Request, workspace: WorkspaceDep, who: PrincipalDep, actor: FormActor,
               organization: OrderField = "", product: OrderField = "", country: OrderField = "",
               amount: OrderField = "", ordered_on: OrderField = "", inquiry_id: OrderField = "") -> Response:
    from copark.parsing.numbers import parse_amount

    try:
        value = parse_amount(amount) if amount.strip() else None
        on = dt.date.fromisoformat(ordered_on.strip()) if ordered_on.strip() else dt.date.today()
    except (CoparkError, ValueError):
        raise CoparkError(t("order.bad_input", amount=amount[:30], date=ordered_on[:20]), t("order.bad_input.fix"),
                          where=t("order.title")) from None
    data = OrderInput(organization, product, country, value, on,  # type: ignore[arg-type]
                      int(inquiry_id) if inquiry_id.strip().isdigit() else None)
    try:
        trade.add_export_order(workspace=workspace, actor=actor, data=data)
    except ValidationFailed as failed:
        return _inquiries_page(request, workspace, who, status_code=422, problems=failed.problems)
    return RedirectResponse("/inquiries?ordered=1#orders", status_code=303)


# --- REST API -------------------------------------------------------------------------------------------------------

@router.get("/api/showcase", tags=["trade"])
def showcase_api(workspace: WorkspaceDep, industry: Short = "", park: Short = "") -> dict:
    """The public showcase: the park's products (no login)."""
    from dataclasses import asdict

    name, products = trade.showcase(workspace=workspace, park=park or None, industry=industry or None)
    return {"park": name, "products": [asdict(p) for p in products]}


@router.get("/api/inquiries", tags=["trade"])
def inquiries_api(workspace: WorkspaceDep, actor: ActorDep) -> list[trade.InquiryPublic]:
    """The inquiries the caller may see (contacts masked unless the caller answers them)."""
    return trade.list_inquiries(workspace=workspace, actor=actor)


@router.get("/api/orders", tags=["trade"])
def orders_api(workspace: WorkspaceDep, actor: ActorDep, park: Short = "") -> list[trade.OrderPublic]:
    """The park's export orders (staff and viewers)."""
    return trade.list_export_orders(workspace=workspace, actor=actor, park=park or None)
