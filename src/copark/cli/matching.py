"""CLI commands of copark.matching."""

from __future__ import annotations

from copark.cli.base import GuardedTyper


def register(app: GuardedTyper) -> None:
    """Add this area's commands to the root app."""
