"""hubapp/common/archives.py: ZIP-based uploads are checked from their listing before anything unpacks them
(issue 8 point 9), with real bombs built here (tests/archive_samples.py)."""

import io
import time
import zipfile

import pytest

from hubapp.common import archives
from hubapp.common.archives import ArchiveError, ArchiveLimits, DamagedArchive
from tests.archive_samples import lying_sizes, many_entries, workbook_bytes, zip_bomb, zipped_csv


def test_an_ordinary_workbook_passes_and_can_be_read():
    data = workbook_bytes()
    with archives.open_checked(data) as archive:
        assert b"spreadsheetml" in archives.read_member(archive, "[Content_Types].xml", 2**20)


def test_a_real_zip_bomb_is_refused_from_its_listing_without_unpacking_it():
    bomb = zip_bomb(workbook_bytes())  # 100 MB of zeros packed into about 100 KB, under the 200 MB total
    assert len(bomb) < 200_000
    started = time.perf_counter()
    with pytest.raises(ArchiveError) as caught:
        archives.check(bomb)
    assert time.perf_counter() - started < 0.5  # the listing only: unpacking 100 MB would take longer
    assert not isinstance(caught.value, DamagedArchive)
    assert "圧縮を展開すると大きすぎるファイルです" in str(caught.value)


def test_the_declared_total_is_limited():
    data = zipped_csv(b"".join(b"%d,%d\n" % (n, n * 7919 % 100_003) for n in range(100_000)))  # 1.2 MB
    archives.check(data, ArchiveLimits(max_unpacked=2 * 2**20))
    with pytest.raises(ArchiveError, match=r"展開後 1 MB まで"):
        archives.check(data, ArchiveLimits(max_unpacked=2**20))


def test_too_many_entries_are_refused():
    data = many_entries(workbook_bytes(), 10_001)
    with pytest.raises(ArchiveError, match="中身が多すぎます（10,000個まで）"):
        archives.check(data)
    archives.check(many_entries(workbook_bytes(), 100))


def test_a_listing_that_lies_about_a_size_cannot_make_a_reader_unpack_more():
    honest = zipped_csv(b"a,b\n" * 250_000)  # 1 MB
    lying = lying_sizes(honest, "jigyosho.csv", 100)  # declares 100 bytes
    # the listing passes (it looks tiny); the read does not
    with archives.open_checked(lying) as archive, pytest.raises(DamagedArchive, match="壊れていて開けません"):
        archives.read_member(archive, "jigyosho.csv", 2**20)
    bomb = lying_sizes(zip_bomb(name="bomb.csv"), "bomb.csv", 1000)  # 100 MB that says 1,000 bytes
    started = time.perf_counter()
    with archives.open_checked(bomb) as archive, pytest.raises(DamagedArchive):
        archives.read_member(archive, "bomb.csv", 2**20)
    assert time.perf_counter() - started < 0.5  # stopped at the declared size, not after 100 MB


def test_read_member_reads_at_most_its_cap():
    data = zipped_csv(b"x" * 5000)
    with archives.open_checked(data) as archive:
        assert len(archives.read_member(archive, "jigyosho.csv", 5000)) == 5000
        with pytest.raises(ArchiveError, match="大きすぎる"):
            archives.read_member(archive, "jigyosho.csv", 4999)


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"PK\x03\x04" + bytes(100), b""])
def test_damaged_archives_are_refused_with_a_message(data):
    with pytest.raises(DamagedArchive, match="壊れていて開けません"):
        archives.check(data)


def test_the_limits_come_from_the_settings(app):
    assert app.config["ARCHIVE_MAX_ENTRIES"] == 10_000  # the documented defaults
    assert app.config["ARCHIVE_MAX_UNPACKED_BYTES"] == 200 * 2**20
    assert archives.configured_limits() == ArchiveLimits()  # outside the app: the same defaults
    app.config.update(ARCHIVE_MAX_ENTRIES=5, ARCHIVE_MAX_UNPACKED_BYTES=4096, ARCHIVE_MAX_RATIO=50)
    with app.app_context():
        assert archives.configured_limits() == ArchiveLimits(5, 4096, 50)
        with pytest.raises(ArchiveError, match="5個まで"):
            archives.check(many_entries(workbook_bytes(), 5))


def test_the_ratio_spares_small_entries():
    data = zipped_csv(b"\x00" * (archives.RATIO_MIN_BYTES - 1))  # compressed about 1,000 times, but small
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (info,) = archive.infolist()
        assert info.file_size > 500 * info.compress_size
    archives.check(data)
