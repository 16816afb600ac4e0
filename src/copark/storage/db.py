"""Engines and sessions per backend; schema upgrades through Alembic."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from copark.core.errors import CoparkError
from copark.locale import t

MIGRATIONS = Path(__file__).with_name("migrations")

#: How much of a SQLite file is read through a memory map (bytes) instead of read() calls into each connection's own
#: 2 MB page cache: the mapped pages are the operating system's, shared by every connection and `copark serve`
#: worker. On the bench/web workspace (267 MB: 100k organizations, 1M items) the 对接机会 page's 200 rows (~1,400
#: key lookups across five tables) took 11 ms with read() calls and 4.7 ms mapped (measured 2026-12-02).
SQLITE_MMAP_BYTES = 1 << 30


def backend_name(url: str) -> str:
    """'sqlite' or 'postgresql' (the only backends copark supports)."""
    try:
        name = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise CoparkError(t("db.bad_url", url=url), t("db.bad_url.fix")) from exc
    if name not in ("sqlite", "postgresql"):
        raise CoparkError(t("db.unsupported", name=name), t("db.unsupported.fix"))
    return name


def make_engine(url: str) -> Engine:
    """An Engine for `url`; SQLite gets foreign keys and WAL, PostgreSQL needs copark[postgres]."""
    backend = backend_name(url)
    if backend == "postgresql":
        if make_url(url).drivername == "postgresql":
            url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        if importlib.util.find_spec("psycopg") is None:
            raise CoparkError(t("db.no_driver"), t("db.no_driver.fix"))
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")



def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits on success and rolls back entirely on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


class LockTimeout(Exception):
    """Another transaction held the workspace lock for longer than the wait allowed."""


_POLL_SECONDS = 0.1


def hold_lock(session: Session | Connection, name: str, *, wait: float,
              on_wait: Callable[[], None] | None = None) -> None:
    """Hold the workspace-wide lock `name` until the session's transaction ends, waiting up to `wait` seconds.

    Call it first in the transaction. SQLite: the transaction becomes BEGIN IMMEDIATE (the database's one write
    lock); PostgreSQL: a transaction-level advisory lock, per schema. Waiting is a Python loop rather than the
    driver's busy timeout so that Ctrl-C stops it at once. `on_wait` is called once if the lock is taken.
    """
    connection = session.connection() if isinstance(session, Session) else session
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    deadline = time.monotonic() + wait
    try:
        while not _try_lock(connection, name, sqlite):
            if on_wait is not None:
                on_wait()
                on_wait = None
            if time.monotonic() >= deadline:
                raise LockTimeout(name)
            time.sleep(_POLL_SECONDS)
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy or 0)}")


def _try_lock(connection, name: str, sqlite: bool) -> bool:  # noqa: ANN001
    if not sqlite:
        return bool(connection.execute(text(
            "select pg_try_advisory_xact_lock(hashtext(current_schema()), hashtext(:name))"), {"name": name}).scalar())
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as error:
        if "locked" in str(error.orig) or "busy" in str(error.orig):
            return False
        raise
    return True
