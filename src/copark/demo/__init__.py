"""The bundled, illustrative demo dataset of 雨溆工业园 and the loader behind `copark demo`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.core.vocab import DEMO_SOURCE, Origin
from copark.locale import t
from copark.storage.tables import Item, Organization, Park
from copark.workspace import Workspace

DEMO_FILES = ("parks.csv", "organizations.csv", "items.csv")
#: The park's operation records (illustrative, invented firms only): projects first, then the records naming them.
DEMO_PROJECT_FILES = ("projects.csv",)
DEMO_RECORD_FILES = ("figures.csv", "exports.csv", "credit.csv", "training.csv")
DEMO_PARK = "雨溆工业园"
#: The demo's benefit-sharing agreement: 7:3 (host 溆浦县 : partner 雨花区) of retained tax and output of the
#: enterprises 雨花区 introduced, once in operation. Illustrative: the reports give no split.
DEMO_AGREEMENT = ("雨溆工业园利益分享协议（示意）", "7:3", "2023-01-01")

#: Real organizations the public reports on 雨溆工业园 name; the demo uses them with no invented figures
#: (no staff count, revenue, contact, quantity, amount or certification). data/README.md lists the same names.
REAL_NAMES = (
    "可孚医疗", "众华电子", "晓光模具", "雨花区职业教育城", "高桥大市场", "湖南自贸区长沙片区", "兴能电力",
    "辰波建设", "舒小福", "晶科晶体", "健乐美", "多爱申", "爱兔服饰", "溆化进出口", "众远新材料",
)
#: Suffix every invented organization's name carries (bank branches included), so no output can pass it off as real.
INVENTED_MARK = "（虚构）"


def is_real_name(name: str) -> bool:
    """True when `name` is one of the real organizations the reports name (see REAL_NAMES)."""
    return any(real in name for real in REAL_NAMES)


def demo_paths(names: tuple[str, ...] = DEMO_FILES) -> list[Path]:
    """The demo CSV files, in import order (parks, organizations, items by default)."""
    folder = resources.files("copark.demo") / "data"
    return [Path(str(folder / name)) for name in names]


def load_demo_operations(*, session: Session, workspace: Workspace) -> None:
    """The demo park's projects, records and sharing agreement, in the caller's transaction (after the lists)."""
    import datetime as dt

    from copark.io.opimport import import_operations
    from copark.services import sharing
    from copark.services.access import Actor

    actor = Actor.local()
    import_operations(session=session, workspace=workspace, actor=actor, paths=demo_paths(DEMO_PROJECT_FILES),
                      kind="projects", park=DEMO_PARK, source=DEMO_SOURCE)
    import_operations(session=session, workspace=workspace, actor=actor, paths=demo_paths(DEMO_RECORD_FILES),
                      kind="records", park=DEMO_PARK, source=DEMO_SOURCE)
    name, split, start = DEMO_AGREEMENT
    park = session.scalar(select(Park).where(Park.name == DEMO_PARK))
    share = sharing.parse_split(split)
    sharing.add_agreement(session=session, park=park, name=name, host_share_tax=share, host_share_output=share,
                          starts_on=dt.date.fromisoformat(start), note="示意性数据")


def _other_data(session: Session) -> tuple[int, int, int]:
    """Parks, organizations and listed items in the database that are not the demo's (inferred ones aside)."""
    def count(table: type, *where: object) -> int:
        return session.scalar(select(func.count()).select_from(table).where(*where)) or 0

    return (count(Park, Park.source != DEMO_SOURCE), count(Organization, Organization.source != DEMO_SOURCE),
            count(Item, Item.source != DEMO_SOURCE, Item.origin != Origin.inferred.value))


def refuse_other_data(*, workspace: Workspace) -> None:
    """CoparkError when the database holds anything but demo data: the demo never mixes into a user's lists."""
    with workspace.transaction() as session:
        _check_only_demo(session, workspace.url)


def _check_only_demo(session: Session, url: str) -> None:
    parks, orgs, items = _other_data(session)
    if parks or orgs or items:
        raise CoparkError(t("demo.not_empty", url=url, parks=parks, orgs=orgs, items=items),
                          t("demo.not_empty.fix"))


def load_demo(*, workspace: Workspace):  # noqa: ANN201 - returns the importer's ImportReport
    """Replace any earlier demo data with the bundled dataset, all in one transaction; a database holding any
    other data is refused (CoparkError) and left as it was."""
    from copark.io.importer import import_files

    def drop_earlier_demo(session: Session) -> None:
        _check_only_demo(session, workspace.url)  # again inside the writing transaction: nothing slips in between
        session.execute(delete(Organization).where(Organization.source == DEMO_SOURCE))
        session.execute(delete(Park).where(Park.source == DEMO_SOURCE))

    return import_files(workspace=workspace, paths=demo_paths(), source=DEMO_SOURCE,
                        before_write=drop_earlier_demo,
                        after_write=lambda session: load_demo_operations(session=session, workspace=workspace))


def demo_park(*, workspace: Workspace) -> Park | None:
    with workspace.transaction() as session:
        return session.scalars(select(Park).where(Park.source == DEMO_SOURCE)).first()


#: One account per role on the demo database. The password is fixed and printed: demo-only, never for real data.
DEMO_PASSWORD = "copark-demo"
DEMO_USERS = (
    ("demo-admin", "admin", None, None),
    ("demo-operator", "operator", None, "雨溆工业园"),
    ("demo-ruikang", "enterprise", "长沙瑞康医用耗材有限公司（虚构）", None),
    ("demo-hengtong", "enterprise", "湖南溆浦恒通海绵制品有限公司（虚构）", None),
    ("demo-bank", "institution", "长沙银行雨溆合作支行（虚构）", None),
    ("demo-viewer", "viewer", None, None),
)


def create_demo_users(*, workspace: Workspace) -> list[tuple[str, str, str]]:
    """(Re)create the demo accounts, one per role; returns (role, username, organization or park) to print."""
    from copark.services.accounts import create_user
    from copark.storage.tables import User

    made = []
    with workspace.transaction() as session:
        names = [u[0] for u in DEMO_USERS]
        session.execute(delete(User).where(User.username.in_(names)))
        for username, role, org, park in DEMO_USERS:
            create_user(session=session, username=username, password=DEMO_PASSWORD, role=role, organization=org,
                        park=park, display_name=username)
            made.append((role, username, org or park or ""))
    return made
