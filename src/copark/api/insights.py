"""首页 figures and the 产业链 map, as the actor may see them."""

from __future__ import annotations

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.access import Actor
from copark.services.chainmap import ChainMap
from copark.services.dashboard import Dashboard
from copark.workspace import Workspace

YEAR_MIN, YEAR_MAX = 2000, 2100
QUERY_MAX = 100


def dashboard(*, workspace: Workspace, actor: Actor | None = None, year: int | None = None) -> Dashboard:
    """Enterprises by region and industry, open opportunities by stage, value signed in `year` (default: this
    year), within what the actor may see."""
    from copark.services import dashboard as figures
    from copark.services.items import now

    actor = actor or Actor.local()
    year = now().year if year is None else year
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise CoparkError(t("web.dash.bad_year", value=year, low=YEAR_MIN, high=YEAR_MAX),
                          t("web.dash.bad_year.fix", low=YEAR_MIN, high=YEAR_MAX))
    with workspace.transaction() as session:
        return figures.dashboard(session=session, actor=actor, regions=workspace.regions, year=year)


def chain_map(*, workspace: Workspace, actor: Actor | None = None, query: str, depth: int = 2,
              park_id: int | None = None) -> ChainMap:
    """The chain of a product or industry code as nodes and links, each node coloured by whether the park's region,
    the partner region, both or neither have organizations making it."""
    from copark.services import chainmap

    actor = actor or Actor.local()
    query = (query or "").strip()
    if not query:
        raise CoparkError(t("web.chain.query_required"), t("web.chain.query_required.fix"))
    if len(query) > QUERY_MAX:
        raise CoparkError(t("web.error.too_long", max=QUERY_MAX), t("web.error.too_long.fix"))
    with workspace.transaction() as session:
        return chainmap.chain_map(session=session, actor=actor, regions=workspace.regions, query=query,
                                  depth=depth, park_id=park_id)
