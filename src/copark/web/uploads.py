"""Uploaded workbooks: checked for type and size while streamed to a private folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import UploadFile

from copark.core.errors import CoparkError
from copark.locale import t

UPLOAD_MAX_MB = 20
SUFFIXES = (".xlsx", ".csv")


async def save_upload(file: UploadFile | None, folder: Path) -> Path:
    """Stream `file` into `folder` (created; removed again when the file is refused) and return its path."""
    if file is None or not file.filename:
        raise CoparkError(t("web.error.upload_missing"), t("web.error.upload_missing.fix"))
    name = Path(file.filename).name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise CoparkError(t("web.error.upload_type", name=name[:80]), t("web.error.upload_type.fix"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    size = 0
    with target.open("wb") as out:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > UPLOAD_MAX_MB << 20:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise CoparkError(t("web.error.upload_too_big", mb=UPLOAD_MAX_MB), t("web.error.upload_too_big.fix"))
            out.write(chunk)
    return target
