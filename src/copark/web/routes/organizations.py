"""企业: the directory, one organization with its lists (edited inline), inferred needs to accept or dismiss."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from copark import api
from copark.api.items import ItemInput
from copark.core.vocab import ItemKind, OrgKind
from copark.locale import labels
from copark.web.deps import ActorDep, ApiActor, FormActor, PrincipalDep, WorkspaceDep, render

router = APIRouter()
Text = Annotated[str, Query(max_length=100)]


@router.get("/orgs", include_in_schema=False)
def orgs_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, q: Text = "", region: Text = "",
              industry: Text = "", kind: Text = "", after: Annotated[int | None, Query(ge=0)] = None) -> Response:
    page = api.list_organizations(workspace=workspace, actor=who.actor, search=q, region=region, industry=industry,
                                  kind=kind, after=after)
    return render(request, "orgs.html", who, page=page, q=q, region=region, industry=industry, kind=kind, after=after,
                  kinds=labels(OrgKind), demo=any(r.demo for r in page.rows))


@router.get("/orgs/{org_id}", include_in_schema=False)
def org_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, org_id: int) -> Response:
    org = api.get_organization(workspace=workspace, actor=who.actor, org_id=org_id)
    return render(request, "org.html", who, org=org, kinds=labels(ItemKind), demo=org.demo,
                  saved=request.query_params.get("saved") == "1")


def _back(org_id: int) -> Response:
    return RedirectResponse(f"/orgs/{org_id}?saved=1", status_code=303)


ItemForm = Annotated[str, Form(max_length=5000)]


@router.post("/orgs/{org_id}/items", include_in_schema=False)
def add_item_form(workspace: WorkspaceDep, actor: FormActor, org_id: int, direction: ItemForm = "need",
                  text: ItemForm = "", kind: ItemForm = "product", quantity: ItemForm = "", unit: ItemForm = "",
                  annual_value: ItemForm = "", note: ItemForm = "") -> Response:
    api.add_item(workspace=workspace, actor=actor, org_id=org_id, direction=direction,
                 data=ItemInput(text, kind, quantity, unit, annual_value, note))
    return _back(org_id)


@router.post("/items/{item_id}", include_in_schema=False)
def edit_item_form(workspace: WorkspaceDep, actor: FormActor, item_id: int, org_id: Annotated[int, Form()],
                   text: ItemForm = "", kind: ItemForm = "product", quantity: ItemForm = "", unit: ItemForm = "",
                   annual_value: ItemForm = "", note: ItemForm = "") -> Response:
    api.update_item(workspace=workspace, actor=actor, item_id=item_id,
                    data=ItemInput(text, kind, quantity, unit, annual_value, note))
    return _back(org_id)


@router.post("/items/{item_id}/{action}", include_in_schema=False)
def item_action_form(workspace: WorkspaceDep, actor: FormActor, item_id: int, action: str,
                     org_id: Annotated[int, Form()]) -> Response:
    _item_action(workspace, actor, item_id, action)
    return _back(org_id)


def _item_action(workspace, actor, item_id: int, action: str) -> None:  # noqa: ANN001
    from starlette.exceptions import HTTPException

    if action == "withdraw":
        api.withdraw_item(workspace=workspace, actor=actor, item_id=item_id)
    elif action == "restore":
        api.restore_item(workspace=workspace, actor=actor, item_id=item_id)
    elif action in ("accept", "dismiss"):
        api.review_inferred(workspace=workspace, actor=actor, item_id=item_id, accept=action == "accept")
    else:
        raise HTTPException(404)


@router.post("/orgs/{org_id}/infer", include_in_schema=False)
def infer_form(workspace: WorkspaceDep, actor: FormActor, org_id: int) -> Response:
    api.infer(workspace=workspace, actor=actor, ref=f"#{org_id}")
    return _back(org_id)


@router.post("/orgs/{org_id}/profile", include_in_schema=False)
def profile_form(workspace: WorkspaceDep, actor: FormActor, org_id: int, contact: ItemForm = "",
                 description: ItemForm = "") -> Response:
    api.update_organization(workspace=workspace, actor=actor, org_id=org_id, contact=contact,
                            description=description)
    return _back(org_id)


# --- REST API -------------------------------------------------------------------------------------------------

class ItemBody(BaseModel):
    """A declared offer or need as the API takes it (lengths checked again by copark.api)."""

    text: str = Field(min_length=1, max_length=200)
    kind: str = Field(default="product", max_length=40)
    quantity: float | None = Field(default=None, ge=0)
    unit: str = Field(default="", max_length=32)
    annual_value: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=500)

    def data(self) -> ItemInput:
        return ItemInput(self.text, self.kind, self.quantity, self.unit, self.annual_value, self.note)


class NewItemBody(ItemBody):
    direction: str = Field(pattern="^(offer|need)$")


class OrgPatch(BaseModel):
    contact: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, max_length=2000)


@router.get("/api/orgs", tags=["organizations"])
def list_orgs(workspace: WorkspaceDep, actor: ActorDep, q: Text = "", region: Text = "", industry: Text = "",
              kind: Text = "", limit: Annotated[int, Query(ge=1, le=1000)] = 200,
              after: Annotated[int | None, Query(ge=0)] = None) -> api.organizations.OrgPage:
    """The directory, filtered; organization users see only their own organization. Pages by id: pass the
    answer's next_after as `after` for the next page."""
    return api.list_organizations(workspace=workspace, actor=actor, search=q, region=region, industry=industry,
                                  kind=kind, limit=limit, after=after)


@router.get("/api/orgs/{org_id}", tags=["organizations"])
def get_org(workspace: WorkspaceDep, actor: ActorDep, org_id: int) -> api.organizations.OrgPublic:
    """One organization with its lists; 403 for an organization the caller may not see."""
    return api.get_organization(workspace=workspace, actor=actor, org_id=org_id)


@router.patch("/api/orgs/{org_id}", tags=["organizations"], status_code=204)
def patch_org(workspace: WorkspaceDep, actor: ApiActor, org_id: int, body: OrgPatch) -> Response:
    api.update_organization(workspace=workspace, actor=actor, org_id=org_id, contact=body.contact,
                            description=body.description)
    return Response(status_code=204)


@router.post("/api/orgs/{org_id}/items", tags=["items"], status_code=201)
def post_item(workspace: WorkspaceDep, actor: ApiActor, org_id: int, body: NewItemBody) -> dict:
    return {"id": api.add_item(workspace=workspace, actor=actor, org_id=org_id, direction=body.direction,
                               data=body.data())}


@router.put("/api/items/{item_id}", tags=["items"], status_code=204)
def put_item(workspace: WorkspaceDep, actor: ApiActor, item_id: int, body: ItemBody) -> Response:
    api.update_item(workspace=workspace, actor=actor, item_id=item_id, data=body.data())
    return Response(status_code=204)


@router.post("/api/items/{item_id}/{action}", tags=["items"], status_code=204)
def post_item_action(workspace: WorkspaceDep, actor: ApiActor, item_id: int, action: str) -> Response:
    """withdraw, restore, accept (an inferred need) or dismiss (an inferred need)."""
    _item_action(workspace, actor, item_id, action)
    return Response(status_code=204)
