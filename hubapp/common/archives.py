"""ZIP-based uploads (.xlsx, .docx, .pptx, a ZIP holding a CSV): checked from their listing before anything
opens them.

A ZIP bomb is small on the wire and enormous once unpacked (100 MB of zeros deflate to about 100 KB).
Before openpyxl, the meeting documents' checker or the directory reader opens an archive,
:func:`open_checked` reads only its central directory and refuses it when it holds more entries than
``ARCHIVE_MAX_ENTRIES``, declares more than ``ARCHIVE_MAX_UNPACKED_BYTES`` unpacked in all, or has a large
entry compressed more than ``ARCHIVE_MAX_RATIO`` times (ordinary Office files stay far below it).

A declared size that lies cannot make a reader unpack more than declared: :mod:`zipfile` stops at the
declared size and then fails on the CRC, and :func:`read_member` reads at most its cap either way; both
end as :class:`DamagedArchive`.

Pure apart from :func:`configured_limits`, which reads the app's settings when there is an app (the
directory parser is used without one too).
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

#: Entries smaller than this are not held to the ratio: a few KB of repeated text compress very well.
RATIO_MIN_BYTES = 1024 * 1024

#: What a damaged (or lying) archive raises inside zipfile, zlib and struct.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    zlib.error,
    struct.error,
)


@dataclass(frozen=True)
class ArchiveLimits:
    """The defaults are those of hubapp/config.py's ``Defaults``."""

    max_entries: int = 10_000
    max_unpacked: int = 200 * 1024 * 1024
    max_ratio: int = 200


def configured_limits() -> ArchiveLimits:
    """The app's ``ARCHIVE_MAX_*`` settings, or the defaults outside an app."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return ArchiveLimits()
    config = current_app.config
    defaults = ArchiveLimits()
    return ArchiveLimits(
        max_entries=int(config.get("ARCHIVE_MAX_ENTRIES", defaults.max_entries)),
        max_unpacked=int(config.get("ARCHIVE_MAX_UNPACKED_BYTES", defaults.max_unpacked)),
        max_ratio=int(config.get("ARCHIVE_MAX_RATIO", defaults.max_ratio)),
    )


class ArchiveError(ValueError):
    """An archive refused by its listing; ``str(error)`` is the message for the user (Japanese)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class DamagedArchive(ArchiveError):
    """An archive that cannot be read, or whose contents are not what its listing declares."""

    def __init__(self, message=None):
        super().__init__(message or _l("圧縮されたファイル（ZIP・.xlsx・.docx など）が壊れていて開けません。"))


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".removesuffix(".0")


def check_listing(archive: zipfile.ZipFile, limits: ArchiveLimits | None = None) -> None:
    """Refuse an archive whose listing declares too many entries, too many bytes or a bomb-like entry."""
    limits = limits or configured_limits()
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise ArchiveError(
            _l("圧縮されたファイルの中身が多すぎます（%(n)s個まで）。", n=f"{limits.max_entries:,}")
        )
    if sum(entry.file_size for entry in entries) > limits.max_unpacked:
        raise ArchiveError(
            _l("圧縮を展開すると大きすぎるファイルです（展開後 %(mb)s MB まで）。", mb=_megabytes(limits.max_unpacked))
        )
    for entry in entries:
        if entry.file_size >= RATIO_MIN_BYTES and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            raise ArchiveError(
                _l("圧縮を展開すると大きすぎるファイルです（極端に圧縮されたデータが含まれています）。")
            )


def open_checked(data: bytes, limits: ArchiveLimits | None = None) -> zipfile.ZipFile:
    """The archive in ``data``, opened only after :func:`check_listing` passed. Raises
    :class:`ArchiveError` (:class:`DamagedArchive` when it cannot be read at all)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as error:
        raise DamagedArchive() from error
    try:
        check_listing(archive, limits)
    except ArchiveError:
        archive.close()
        raise
    return archive


def check(data: bytes, limits: ArchiveLimits | None = None) -> None:
    """Refuse ``data`` unless it is a readable archive within the limits (nothing is unpacked)."""
    open_checked(data, limits).close()


def read_member(archive: zipfile.ZipFile, entry: zipfile.ZipInfo | str, cap: int) -> bytes:
    """One entry's bytes, at most ``cap`` of them: a larger entry (declared or actual), a lying size or a
    damaged entry raises :class:`ArchiveError`."""
    try:
        info = entry if isinstance(entry, zipfile.ZipInfo) else archive.getinfo(entry)
        if info.file_size > cap:
            raise ArchiveError(
                _l("圧縮を展開すると大きすぎるファイルです（展開後 %(mb)s MB まで）。", mb=_megabytes(cap))
            )
        with archive.open(info) as member:
            data = member.read(cap + 1)
    except ArchiveError:
        raise
    except ZIP_ERRORS as error:
        raise DamagedArchive() from error
    if len(data) > cap:
        raise DamagedArchive()
    return data
