"""ZIP archives that upload checks must refuse, built for real in the tests (issue 8 point 9): a ZIP bomb
(100 MB of zeros in about 100 KB), an archive of too many entries, and one whose listing lies about its
sizes. Each can be grafted onto a genuine .xlsx or .docx so that only the bomb makes it refusable."""

import io
import struct
import zipfile
from functools import cache

import openpyxl

BOMB_MEGABYTES = 100


def workbook_bytes(rows=(("種別", "名称"), ("診療所", "かとり在宅クリニック"))) -> bytes:
    """A genuine .xlsx written by openpyxl."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(base: bytes, write) -> bytes:
    buffer = io.BytesIO(base)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        write(archive)
    return buffer.getvalue()


@cache
def zip_bomb(base: bytes = b"", name: str = "xl/media/zeros.bin", megabytes: int = BOMB_MEGABYTES) -> bytes:
    """``base`` (an empty ZIP by default) plus one entry of ``megabytes`` MB of zeros: about 1,000 times
    smaller packed than unpacked."""

    def write(archive: zipfile.ZipFile) -> None:
        chunk = b"\x00" * 2**20
        info = zipfile.ZipInfo(name, date_time=(2026, 4, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as f:
            for _ in range(megabytes):
                f.write(chunk)

    base = base or b"PK\x05\x06" + bytes(18)  # an empty ZIP
    data = _append(base, write)
    assert len(data) - len(base) < megabytes * 2**20 // 500, "the bomb must be tiny when packed"
    return data


def many_entries(base: bytes, count: int = 10_001, folder: str = "xl/media/") -> bytes:
    """``base`` plus ``count`` empty entries (stored): a large listing in a small file."""

    def write(archive: zipfile.ZipFile) -> None:
        for n in range(count):
            archive.writestr(zipfile.ZipInfo(f"{folder}{n}.txt"), b"", compress_type=zipfile.ZIP_STORED)

    return _append(base, write)


def lying_sizes(data: bytes, name: str, declared: int) -> bytes:
    """``data`` with entry ``name`` declaring ``declared`` bytes unpacked (local header and central
    directory both) whatever it really holds."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, declared)
    encoded = name.encode("utf-8")
    position = 0
    while True:
        central = out.find(b"PK\x01\x02", position)
        if central < 0:
            raise ValueError(f"{name} not in the central directory")
        (name_length,) = struct.unpack_from("<H", out, central + 28)
        if bytes(out[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", out, central + 24, declared)
            return bytes(out)
        position = central + 4


def zipped_csv(text: bytes, name: str = "jigyosho.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()
