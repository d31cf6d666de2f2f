"""Uploaded files, for every domain that keeps them (meeting documents, compliance evidence, the rota's
month summaries): checking, storing and removing the files.

Files are kept under ``instance/uploads/<folder…>/<owner id>/`` (never in static/), each under a random
name; the name the user gave is only shown and offered on download, after :func:`clean_filename`.

What is accepted is decided by the bytes (:func:`sniff`), never by the file name: PDF, Word, Excel and
PowerPoint (OOXML and the legacy OLE2 formats) and PNG / JPEG / GIF / WebP images. Anything else —
HTML, SVG (it can carry script), executables, plain ZIP archives, macro-enabled Office files — is
refused. When content and name disagree the content wins: a PDF named ``report.docx`` is stored as a
PDF and offered as ``report.pdf`` (the extension follows the content, the rest of the name is kept).

Files follow the transaction: a file written by :func:`write_upload` is removed again when the
transaction rolls back, and a file given to :func:`remove_on_commit` is removed only once the deletion
is committed.
"""

import hashlib
import os
import re
import secrets
import struct
import unicodedata
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from hubapp.common import archives
from hubapp.extensions import db

# --- accepted types ------------------------------------------------------------------------------------

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"

#: The extensions a file of each type may carry; the first is the one given when the name has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg", ".jpe"),
    GIF: (".gif",),
    WEBP: (".webp",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    DOC: (".doc",),
    XLS: (".xls",),
    PPT: (".ppt",),
}
_KNOWN_EXTENSIONS = frozenset(ext for extensions in EXTENSIONS.values() for ext in extensions)

#: Shown on the upload form (the file chooser's filter; the server decides by content regardless).
ACCEPT_ATTRIBUTE = ",".join(sorted(_KNOWN_EXTENSIONS))

ACCEPTED_TYPES_TEXT = _l(
    "登録できるのは PDF、Word（.docx・.doc）、Excel（.xlsx・.xls）、PowerPoint（.pptx・.ppt）、"
    "画像（PNG・JPEG・GIF・WebP）です。"
)

_CONTENT_TYPES_MAX = 1024 * 1024

#: The longest display name kept, extension included (80 Japanese characters are 240 bytes in UTF-8,
#: still within the 255-byte file-name limit of the systems users save to).
MAX_NAME_LENGTH = 80
DEFAULT_STEM = "資料"


class DocumentError(ValueError):
    """A file that cannot be stored; ``str(error)`` is the message for the user (Japanese)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _unsupported() -> DocumentError:
    return DocumentError(_l("この形式のファイルは登録できません。%(types)s", types=ACCEPTED_TYPES_TEXT))


def _macro() -> DocumentError:
    return DocumentError(
        _l(
            "マクロを含むファイルは登録できません。"
            "マクロなしの形式（.docx・.xlsx・.pptx など）か PDF で保存し直してください。"
        )
    )


def _encrypted() -> DocumentError:
    return DocumentError(_l("パスワード付きのファイルは登録できません。パスワードを外してから登録してください。"))


# --- sniffing -------------------------------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> tuple[str, str]:
    """The content type and the extension for these bytes, decided by their content.

    The extension is the one of ``filename`` when that is right for the content (``.jpeg`` stays
    ``.jpeg``), otherwise the type's usual one. Raises :class:`DocumentError` for anything not accepted.
    """
    content_type = _content_type(data)
    extension = _split_extension(filename or "")[1].lower()
    if extension not in EXTENSIONS[content_type]:
        extension = EXTENSIONS[content_type][0]
    return content_type, extension


def _content_type(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_type(data)
    if data.startswith(_OLE_SIGNATURE):
        return _ole_type(data)
    raise _unsupported()


#: (folder of the main part, the main part's content type in [Content_Types].xml, the file's type)
_OOXML_MAIN_PARTS = (
    ("word/", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", DOCX),
    ("xl/", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", XLSX),
    ("ppt/", b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", PPTX),
)


def _ooxml_type(data: bytes) -> str:
    """DOCX / XLSX / PPTX: a ZIP whose [Content_Types].xml names a Word, Excel or PowerPoint main part.

    Only the listing is read and only [Content_Types].xml is decompressed (at most 1 MiB); archives
    over the limits of :mod:`hubapp.common.archives` (ZIP bombs) are refused before that. A plain ZIP,
    an ODF file or a macro-enabled Office file (.docm, .xlsm, .pptm, vbaProject.bin) is refused.
    """
    try:
        with archives.open_checked(data) as archive:
            names = {e.filename.replace("\\", "/").lower(): e for e in archive.infolist()}
            types_entry = names.get("[content_types].xml")
            if types_entry is None or types_entry.file_size > _CONTENT_TYPES_MAX:
                raise _unsupported()
            if types_entry.flag_bits & 0x1:
                raise _encrypted()
            content_types = archives.read_member(archive, types_entry, _CONTENT_TYPES_MAX)
    except archives.DamagedArchive as error:
        raise _unsupported() from error
    except archives.ArchiveError as error:
        raise DocumentError(error.message) from None
    if b"macroenabled" in content_types.lower() or any(n.endswith("vbaproject.bin") for n in names):
        raise _macro()
    for folder, main_type, content_type in _OOXML_MAIN_PARTS:
        if main_type in content_types and any(n.startswith(folder) and not n.endswith("/") for n in names):
            return content_type
    raise _unsupported()


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_OLE_MACRO_NAMES = frozenset({"macros", "vba", "_vba_project", "_vba_project_cur"})


def _ole_type(data: bytes) -> str:
    """DOC / XLS / PPT: an OLE2 compound file with a WordDocument, Workbook (Book) or PowerPoint
    Document stream. Installers (.msi), Outlook messages and other compound files are refused, and
    so are files with a VBA project (macros) and password-protected OOXML files (EncryptedPackage)."""
    try:
        names = {name.lower() for name in _ole_entry_names(data)}
    except (struct.error, ValueError, IndexError) as error:
        raise _unsupported() from error
    if names & _OLE_MACRO_NAMES:
        raise _macro()
    if "encryptedpackage" in names:
        raise _encrypted()
    if "worddocument" in names:
        return DOC
    if "workbook" in names or "book" in names:
        return XLS
    if "powerpoint document" in names:
        return PPT
    raise _unsupported()


def _ole_entry_names(data: bytes) -> set[str]:
    """The names of the storages and streams of a compound file (MS-CFB), read from its directory
    chain only. Every chain walked is bounded and checked for loops; a damaged file raises ValueError."""
    if len(data) < 512:
        raise ValueError("too short for a compound file")
    (shift,) = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << shift
    per_sector = size // 4
    sectors = -(-len(data) // size) - 1  # after the header; a short last sector counts

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise ValueError("sector outside the file")
        start = (number + 1) * size
        return data[start : start + size].ljust(size, b"\xff")  # padding reads as free / unused

    (fat_count,) = struct.unpack_from("<I", data, 44)
    if fat_count > sectors // per_sector + 1:
        raise ValueError("more FAT sectors than the file needs")
    fat_sectors = list(struct.unpack_from("<109I", data, 76)[:fat_count])
    difat, seen = struct.unpack_from("<I", data, 68)[0], set()
    while len(fat_sectors) < fat_count:
        if difat > _MAX_REGULAR_SECTOR or difat in seen:
            raise ValueError("bad DIFAT chain")
        seen.add(difat)
        values = struct.unpack(f"<{per_sector}I", sector(difat))
        fat_sectors += values[: min(per_sector - 1, fat_count - len(fat_sectors))]
        difat = values[-1]
    fat: list[int] = []
    for number in fat_sectors:
        fat.extend(struct.unpack(f"<{per_sector}I", sector(number)))

    names: set[str] = set()
    current, visited = struct.unpack_from("<I", data, 48)[0], set()
    while current <= _MAX_REGULAR_SECTOR:
        if current in visited or current >= len(fat):
            raise ValueError("bad directory chain")
        visited.add(current)
        block = sector(current)
        for offset in range(0, size, 128):
            entry = block[offset : offset + 128]
            (length,) = struct.unpack_from("<H", entry, 64)
            if entry[66] in (1, 2, 5) and 2 <= length <= 64 and length % 2 == 0:
                names.add(entry[: length - 2].decode("utf-16-le", "replace"))
        current = fat[current]
    return names


# --- file names -----------------------------------------------------------------------------------------

#: Characters Windows refuses in file names; replaced so that the offered name saves as shown.
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
#: Trimmed from both ends of a name: spaces (also the full-width one) and dots (``..``, Windows' trailing dot).
_TRIMMED = " .\u3000"


def _split_extension(name: str) -> tuple[str, str]:
    """("議事要旨", ".pdf") for "議事要旨.pdf"; a name that is only an extension (".pdf") has an empty stem."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension or " " in extension or len(extension) > 10:
        return name, ""
    return stem, "." + extension


def clean_filename(name: str, extension: str | None = None) -> str:
    """The name to show and offer on download: the last path component of ``name`` (``/`` and ``\\``
    both separate folders, so ``../`` has no effect), NFC-normalised, without control or bidi-format
    characters, at most :data:`MAX_NAME_LENGTH` characters with the extension kept.

    With ``extension`` (from :func:`sniff`) the name ends in it: an extension of another accepted
    type is replaced (``report.docx`` holding a PDF becomes ``report.pdf``), any other is kept and the
    right one appended (``notes.html.pdf``). An empty name becomes 「資料」 plus the extension.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _WINDOWS_RESERVED.sub("_", name).rstrip(_TRIMMED)
    stem, current = _split_extension(name)
    stem = stem.strip(_TRIMMED)
    if extension is not None:
        extension = extension.lower()
        if current.lower() == extension or current.lower() in _KNOWN_EXTENSIONS:
            current = ""
        stem, current = (stem + current).strip(_TRIMMED), extension
    current = current[:11]
    stem = stem[: max(MAX_NAME_LENGTH - len(current), 1)].rstrip(_TRIMMED)
    return (stem or DEFAULT_STEM) + current


# --- storing --------------------------------------------------------------------------------------------

_STORED_NAME = re.compile(r"[0-9a-f]{32,64}")
_WRITTEN = "hubapp.common.storedfiles.written"
_REMOVE_ON_COMMIT = "hubapp.common.storedfiles.remove_on_commit"


def _write_atomically(folder: Path, stored_name: str, data: bytes) -> Path:
    """Write to a temporary file in the same folder, then link it into place: nobody ever sees half a
    file, and an existing file is never replaced (the link fails instead)."""
    target = folder / stored_name
    temporary = folder / f".{stored_name}.{secrets.token_hex(4)}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def write_upload(folder_parts: tuple[str, ...], owner_id: int, data: bytes) -> tuple[str, Path]:
    """Store checked bytes under instance/uploads/<folder_parts…>/<owner_id>/ for another domain (the
    compliance evidence): a random name, written atomically, removed again if the transaction does not
    commit. Returns (stored name, path)."""
    instance = Path(current_app.instance_path)
    folder = instance / "uploads"
    instance.mkdir(parents=True, exist_ok=True)
    for part in (*folder_parts, str(int(owner_id))):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder = folder / part
    folder.mkdir(mode=0o700, exist_ok=True)
    stored_name = secrets.token_hex(20)
    path = _write_atomically(folder, stored_name, data)
    db.session.info.setdefault(_WRITTEN, set()).add(str(path))
    return stored_name, path


def stored_path(folder_parts: tuple[str, ...], owner_id: int, stored_name: str) -> Path:
    """Where :func:`write_upload` put a file (the name is checked: nothing outside the folder)."""
    if not _STORED_NAME.fullmatch(stored_name or ""):
        raise ValueError("unexpected stored name")
    return Path(current_app.instance_path, "uploads", *folder_parts, str(int(owner_id)), stored_name)


def remove_on_commit(path: Path) -> None:
    """Remove a file written by :func:`write_upload` once the transaction deleting its row commits (it
    stays when the transaction rolls back)."""
    db.session.info.setdefault(_REMOVE_ON_COMMIT, set()).add(str(path))


def megabytes(size: int) -> str:
    """20971520 -> "20", 1572864 -> "1.5"."""
    return f"{size / 2**20:.1f}".removesuffix(".0")


def max_bytes() -> int:
    return int(current_app.config["MEETING_UPLOAD_MAX_BYTES"])


def check_size(size: int) -> None:
    """Refuse an empty file and one over ``MEETING_UPLOAD_MAX_BYTES``."""
    if size <= 0:
        raise DocumentError(_l("ファイルが空です。中身のあるファイルを選んでください。"))
    if size > max_bytes():
        raise DocumentError(_l("ファイルが大きすぎます（上限 %(mb)s MB）。", mb=megabytes(max_bytes())))


def write_checked(folder_parts: tuple[str, ...], owner_id: int, filename: str, data: bytes) -> dict:
    """Check an upload for another domain (size, then content), write it with :func:`write_upload` and
    return the columns every stored document row has: filename (cleaned, with the checked type's
    extension), stored_name, content_type, size and sha256. Raises :class:`DocumentError`; nothing is
    written then."""
    check_size(len(data))
    content_type, extension = sniff(data, filename)
    stored_name, _path = write_upload(folder_parts, owner_id, data)
    return {
        "filename": clean_filename(filename, extension),
        "stored_name": stored_name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer transaction decides
        return
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_REMOVE_ON_COMMIT, ()):
        Path(path).unlink(missing_ok=True)


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """The outermost transaction ended without a commit (rolled back, or closed): its files go, the
    files of its deletions stay. (Savepoints are not tracked on their own; the app uses none.)"""
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_REMOVE_ON_COMMIT, None)
    for path in session.info.pop(_WRITTEN, ()):
        Path(path).unlink(missing_ok=True)
