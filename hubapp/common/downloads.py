"""The ``Content-Disposition`` of every file the app hands out: always an attachment,
with the Japanese name as RFC 5987 / RFC 6266 ``filename*=UTF-8''…`` and a plain ASCII ``filename`` for
the rare client that reads only that one."""

import re
import unicodedata
from urllib.parse import quote

#: Characters no saved file name may hold (Windows' reserved ones, path separators).
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    return _UNSAFE.sub("_", name).strip(" .\u3000") or "download"


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment; filename="<fallback>"; filename*=UTF-8''<filename, percent-encoded>``.

    ``filename`` may be any text (a meeting's title, a hub's name): control characters go and path
    separators become ``_``. ``fallback`` is reduced to ASCII letters, digits, ``.``, ``_`` and ``-``.
    """
    ascii_name = _ASCII_UNSAFE.sub("_", fallback).strip("._") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(_clean(filename), safe='')}"


def fallback_name(document) -> str:
    """``document-12.pdf`` for a stored upload (meeting or evidence document): the ASCII name for clients
    that cannot read ``filename*``, with the extension of the checked type."""
    extension = document.filename.rpartition(".")[2] if "." in document.filename else "bin"
    return f"document-{document.id}.{extension}"


def stored_file(path, filename: str, content_type: str, fallback: str, etag: str | bool = True):
    """The response for a stored upload (a meeting's, an item's evidence, an old rota): an attachment
    with :func:`content_disposition`, never sniffed by the browser, never cached. The view checks the
    hub, records the VIEW and commits before calling this."""
    from flask import send_file

    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=filename, etag=etag)
    response.headers["Content-Disposition"] = content_disposition(filename, fallback)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
