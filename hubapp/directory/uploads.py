"""Holding an uploaded directory file between its preview and its commit.

The file is kept under ``instance/imports/`` (never in static/) with the user and hub that uploaded
it, its preview and its parse (:class:`KeptParse`); only that user, in that hub, can commit it, and files
older than a day are removed.
"""

import gzip
import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

MAX_AGE_SECONDS = 24 * 3600
#: What ``keep()`` hands out (``secrets.token_urlsafe(24)``): anything else names no file, and is not looked up.
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def keep(data: bytes, filename: str, user_id: int, hub_id: int) -> str:
    """Store the upload; returns the token that names it."""
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    fd = os.open(folder / f"{token}.bin", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    meta = {"filename": filename, "user_id": user_id, "hub_id": hub_id}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load(token: str, user_id: int, hub_id: int) -> tuple[bytes, str, str | None] | None:
    """The upload's bytes, file name and the saved mapping it is read with (None: whichever fits), or None
    when the token is unknown, expired or someone else's."""
    if not TOKEN.fullmatch(token or ""):
        return None
    folder = _folder()
    data_path, meta_path = folder / f"{token}.bin", folder / f"{token}.json"
    if not data_path.exists() or not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id or meta.get("hub_id") != hub_id:
        return None
    return data_path.read_bytes(), meta["filename"], meta.get("mapping")


def save_preview(token: str, preview: dict) -> None:
    """What the preview shows (counts, every warning and refusal, samples), kept beside the upload so that
    its pages render without reading the file again, however many rows it has."""
    (_folder() / f"{token}.preview.json").write_text(json.dumps(preview, ensure_ascii=False), encoding="utf-8")


def load_preview(token: str, user_id: int, hub_id: int) -> dict | None:
    """The preview of an upload of this user in this hub, or None."""
    if load_meta(token, user_id, hub_id) is None:
        return None
    path = _folder() / f"{token}.preview.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def load_meta(token: str, user_id: int, hub_id: int) -> dict | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    meta_path = _folder() / f"{token}.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id or meta.get("hub_id") != hub_id:
        return None
    return meta


def set_mapping(token: str, name: str) -> None:
    """The saved mapping the coordinator read the upload with (its commit reads it the same way)."""
    path = _folder() / f"{token}.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["mapping"] = name
    path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


class KeptParse:
    """The upload's file as parsed for its preview, kept (gzipped JSON) for its commit and its refused rows:
    a national file takes longer to parse than to plan and write. Only a parse of the same bytes with the same
    mappings and parser (``key``) is given back."""

    def __init__(self, token: str):
        self.path = _folder() / f"{token}.parsed.json.gz"

    def load(self, key: str) -> dict | None:
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as f:
                kept = json.load(f)
        except (OSError, ValueError, EOFError):  # none yet, or unreadable: the file is parsed again
            return None
        return kept["parsed"] if kept.get("key") == key else None

    def save(self, key: str, parsed: dict) -> None:
        with gzip.open(self.path, "wt", encoding="utf-8", compresslevel=1) as f:
            json.dump({"key": key, "parsed": parsed}, f, ensure_ascii=False)


def discard(token: str) -> None:
    folder = _folder()
    for suffix in (".bin", ".json", ".preview.json", ".parsed.json.gz"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)
