"""The bundled, illustrative demo dataset of 雨溆工业园 and the loader behind `copark demo`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from copark.storage.tables import Organization, Park
from copark.workspace import Workspace

DEMO_SOURCE = "demo"
DEMO_FILES = ("parks.csv", "organizations.csv", "items.csv")


def demo_paths() -> list[Path]:
    """The demo CSV files, in import order (parks, organizations, items)."""
    folder = resources.files("copark.demo") / "data"
    return [Path(str(folder / name)) for name in DEMO_FILES]


def load_demo(*, workspace: Workspace):  # noqa: ANN201 - returns the importer's ImportReport
    """Replace any earlier demo data with the bundled dataset, all in one transaction."""
    from copark.io.importer import import_files

    def drop_earlier_demo(session: Session) -> None:
        session.execute(delete(Organization).where(Organization.source == DEMO_SOURCE))
        session.execute(delete(Park).where(Park.source == DEMO_SOURCE))

    return import_files(workspace=workspace, paths=demo_paths(), source=DEMO_SOURCE,
                        before_write=drop_earlier_demo)


def demo_park(*, workspace: Workspace) -> Park | None:
    with workspace.transaction() as session:
        return session.scalars(select(Park).where(Park.source == DEMO_SOURCE)).first()
