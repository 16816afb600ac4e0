"""Settings read from the environment (COPARK_*), never at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings; `COPARK_DATABASE_URL` picks the database."""

    model_config = SettingsConfigDict(env_prefix="COPARK_", extra="ignore")

    database_url: str = ""
    data_dir: Path = Path(".")
    # Uploaded files (product photos); unset: beside a SQLite database file, else in data_dir (Workspace.files_dir).
    files_dir: Path | None = None
    # Seconds an import waits for another one to finish before saying so: a few seconds lets a small import
    # finish, more would look hung.
    lock_wait: float = 5.0

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file `copark.sqlite` in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'copark.sqlite').resolve()}"


def get_settings() -> Settings:
    return Settings()
