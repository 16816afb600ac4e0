"""The thin public layer the CLI and web call: one configured database plus reference data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from copark.core.config import Settings, get_settings
from copark.parsing.regions import RegionRecord, RegionTable, builtin_regions
from copark.storage import db
from copark.storage.tables import Region


@dataclass
class Workspace:
    """A copark database (schema upgraded on open) and the region table it resolves names with."""

    url: str
    #: Where uploaded files live (product photos); None: see `files_dir`.
    files_root: Path | None = None
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = db.make_engine(self.url)
        db.upgrade(self.engine)

    @classmethod
    def open(cls, url: str | None = None, settings: Settings | None = None) -> Workspace:
        settings = settings or get_settings()
        return cls(url or settings.resolved_database_url(), files_root=settings.files_dir)

    @cached_property
    def files_dir(self) -> Path:
        """The folder of this workspace's uploaded files: `files_root` (COPARK_FILES_DIR) when set, else
        `<database>.files/` beside a SQLite file, else `copark-files/` in COPARK_DATA_DIR. Not created here."""
        if self.files_root is not None:
            return Path(self.files_root)
        database = self.engine.url.database if self.engine.url.get_backend_name() == "sqlite" else None
        if database and database != ":memory:":
            return Path(database).expanduser().resolve().with_name(Path(database).name + ".files")
        return (get_settings().data_dir / "copark-files").resolve()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """All-or-nothing unit of work."""
        with db.transaction(self.engine) as session:
            yield session

    @cached_property
    def regions(self) -> RegionTable:
        """Built-in regions, extended by any imported into the database (copark regions import)."""
        base = builtin_regions()
        with db.session_factory(self.engine)() as session:
            rows = session.scalars(select(Region)).all()
        if not rows:
            return base
        records = dict(base.by_code)
        for r in rows:
            records[r.code] = RegionRecord(r.code, r.name, r.level, r.parent_code, r.longitude, r.latitude)
        return RegionTable(list(records.values()))

    @property
    def shared_between_processes(self) -> bool:
        """Whether other processes opening `url` see this same database (not so for an in-memory SQLite one)."""
        url = self.engine.url
        return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")

    def close(self) -> None:
        self.engine.dispose()
