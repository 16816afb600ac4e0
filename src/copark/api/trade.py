"""推介与外贸 (briefs and trade): industry briefs, the public product showcase, buyer inquiries and export orders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from copark.locale import t
from copark.services.access import Actor, Forbidden
from copark.workspace import Workspace


def _require_park_reader(actor: Actor) -> None:
    if actor.is_org_user:
        raise Forbidden(t("brief.staff_only"), t("web.error.forbidden.fix"))


def brief(*, workspace: Workspace, actor: Actor | None = None, industry: str | None = None,
          chain: str | None = None, park: str | None = None, top: int = 10):  # noqa: ANN201 - services.brief.Brief
    """The 分行业推介 of one industry (GB/T 4754 code or name, any level) or one chain of the park (staff and
    viewers: it lists every park enterprise's offers and needs)."""
    from copark.services import brief as svc
    from copark.services.projects import resolve_park

    actor = actor or Actor.local()
    _require_park_reader(actor)
    with workspace.transaction() as session:
        target = resolve_park(session, actor, park)
        return svc.build_brief(session=session, park=target, regions=workspace.regions, industry=industry,
                               chain=chain, top=top)


def write_brief(*, workspace: Workspace, actor: Actor | None = None, path: Path, industry: str | None = None,
                chain: str | None = None, park: str | None = None, top: int = 10):  # noqa: ANN201 - Brief
    """The brief written to `path` as .pdf or .xlsx by its extension (checked before anything is computed)."""
    from copark.io.brief import check_suffix
    from copark.io.brief import write_brief as write

    check_suffix(Path(path))
    found = brief(workspace=workspace, actor=actor, industry=industry, chain=chain, park=park, top=top)
    write(found, Path(path))
    return found


def park_chains(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None) -> list[str]:
    """The park's chains (园区定位 entries as written), for choosing a brief."""
    from copark.services.projects import resolve_park

    actor = actor or Actor.local()
    _require_park_reader(actor)
    with workspace.transaction() as session:
        return [str(e) for e in (resolve_park(session, actor, park).positioning or []) if str(e).strip()]


__all__ = ["brief", "park_chains", "write_brief"]
