"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os

# Rich sizes tables to the terminal; tests read CLI output, so give it room (set before copark imports Rich).
os.environ["COLUMNS"] = "240"

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest  # noqa: E402
from sqlalchemy import create_engine, text

from copark.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
POSTGRES_URL = os.environ.get("COPARK_TEST_POSTGRES_URL", "")

requires_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is not beside the project")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In CI PostgreSQL must really be used: a missing server is a failure, not a skip.
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError("CI=true but COPARK_TEST_POSTGRES_URL is not set: PostgreSQL tests would be skipped")
    if os.environ.get("CI") and not (SHARED_DATA.is_dir() and (SHARED / "bench" / "capability").is_dir()):
        raise pytest.UsageError("CI=true but ../shared/data or ../shared/bench/capability is missing")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'copark.sqlite'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("COPARK_TEST_POSTGRES_URL is not set (make test sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'drop schema "{schema}" cascade'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    ws = Workspace(db_url)
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(sqlite_url: str) -> Iterator[Workspace]:
    ws = Workspace(sqlite_url)
    yield ws
    ws.close()
