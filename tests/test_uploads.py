"""Every upload and download of the app against issue 8 point 9, through the real routes:

- a size limit answered with 413 and a Japanese message, both for a body over ``MAX_CONTENT_LENGTH``
  and for a file over the feature's own limit (``MEETING_UPLOAD_MAX_BYTES``, ``DIRECTORY_IMPORT_MAX_BYTES``);
- archives (.xlsx, .docx, a ZIP of CSV) refused from their listing — a real 100 MB ZIP bomb, too many
  entries, a lying size — with a Japanese message and nothing kept;
- the type decided by content (HTML, ELF and PE executables renamed .pdf / .docx are refused);
- downloads only as ``Content-Disposition: attachment`` with the Japanese name as RFC 5987
  ``filename*=UTF-8''…``, and uploads stored under random names outside static/.

The uploads: meeting documents (/meetings/<id>/documents), evidence documents (/compliance/documents),
the evidence of a rota's manual month summaries (/rota/groups/<id>/summaries), the directory import
(/directory/import). No other route reads ``request.files``
(:func:`test_these_are_all_the_upload_routes`).
"""

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance.models import Enrollment, EvidenceDocument
from hubapp.core.services import today
from hubapp.directory.models import Organisation
from hubapp.extensions import db
from hubapp.meetings.models import MeetingDocument
from hubapp.rota import services as rota
from hubapp.rota.models import MonthSummary, SummaryDocument
from tests.archive_samples import lying_sizes, many_entries, workbook_bytes, zip_bomb, zipped_csv

YEAR = FiscalYear.of(today()).year
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
DIRECTORY_CSV = "種別,名称,所在地\n診療所,かとり在宅クリニック,千葉県香取市佐原イ800番地\n".encode()


def _rows(app, model) -> list:
    with app.app_context():
        return list(db.session.scalars(sa.select(model)))


def _files(app, *parts: str) -> list[Path]:
    root = Path(app.instance_path, *parts)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@dataclass
class Upload:
    """One upload route: how to post a file to it and how to see that nothing was kept."""

    name: str
    url: str
    fields: dict
    limit_setting: str
    kept: "callable"

    def post(self, client, data: bytes, filename: str):
        # Encoded in memory: the test client would spool a body over 500 KB to a file it never closes.
        boundary, body = encode_multipart(MultiDict({**self.fields, "file": FileStorage(io.BytesIO(data), filename)}))
        return client.post(self.url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def meeting(create_meeting):
    return create_meeting("第1回 多職種連携会議", day=date(2026, 6, 10))


@pytest.fixture
def evidence_item(app, hub) -> tuple[str, str]:
    """A hand-entered item of program E, the kind evidence documents are for."""
    with app.app_context():
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code="E"))
        db.session.commit()
        program = app.extensions["compliance_programs"]["E"]
        return "E", next(i.code for i in program.items if i.rule.type == "manual")


@pytest.fixture
def summary_group(app, hub) -> int:
    """A physician group whose 運用開始日 is 令和7年12月1日: April of 令和7年度 may be summarised by hand."""
    with app.app_context():
        group = rota.create_group(hub.id, "在宅医グループ")
        group.started_on = date(2025, 12, 1)
        db.session.commit()
        return group.id


@pytest.fixture
def uploads(app, meeting, evidence_item, summary_group) -> dict[str, Upload]:
    program, item = evidence_item
    return {
        "rota": Upload(
            "rota",
            f"/rota/groups/{summary_group}/summaries",
            {"slots-2025-04": "40", "covered-2025-04": "40"},
            "MEETING_UPLOAD_MAX_BYTES",
            lambda: _rows(app, SummaryDocument) + _rows(app, MonthSummary) + _files(app, "uploads", "rota"),
        ),
        "meeting": Upload(
            "meeting",
            f"/meetings/{meeting.id}/documents",
            {"kind": "minutes"},
            "MEETING_UPLOAD_MAX_BYTES",
            lambda: _rows(app, MeetingDocument) + _files(app, "uploads", "meetings"),
        ),
        "evidence": Upload(
            "evidence",
            f"/compliance/documents?year={YEAR}",
            {"program": program, "item": item},
            "MEETING_UPLOAD_MAX_BYTES",
            lambda: _rows(app, EvidenceDocument) + _files(app, "uploads", "compliance"),
        ),
        "directory": Upload(
            "directory",
            "/directory/import",
            {},
            "DIRECTORY_IMPORT_MAX_BYTES",
            lambda: _rows(app, Organisation) + _files(app, "imports"),
        ),
    }


def _messages(client, response) -> str:
    """What the user is told: the page itself, or the flashed messages of a redirect."""
    if response.status_code != 302:
        return response.data.decode()
    with client.session_transaction() as session:
        return " ".join(str(message) for _category, message in session.get("_flashes", []))


def test_these_are_all_the_upload_routes():
    """Every module that reads an upload is one of the four tested here (a new one must be added)."""
    root = Path(__file__).resolve().parent.parent / "hubapp"
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"request\.files|FileField\(", path.read_text(encoding="utf-8"))
    )
    assert readers == ["compliance/forms.py", "directory/forms.py", "meetings/document_views.py", "rota/forms.py"]


# --- 413 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["meeting", "evidence", "rota", "directory"])
def test_a_file_over_the_features_limit_is_answered_413_in_japanese(app, client, login_as, uploads, name):
    upload = uploads[name]
    limit = 2**20
    app.config[upload.limit_setting] = limit
    login_as("coordinator")
    data = (PDF if name != "directory" else DIRECTORY_CSV).ljust(limit + 1, b"\n")
    response = upload.post(client, data, "大きいファイル.pdf")
    page = response.data.decode()
    assert response.status_code == 413, page
    assert "ファイルが大きすぎます" in page and "1 MB" in page
    assert upload.kept() == []
    exactly = upload.post(client, data[:limit], "ちょうど.pdf")  # the limit itself is allowed
    assert exactly.status_code in (200, 302) and upload.kept() != []


@pytest.fixture
def small_bodies(app_config):
    app_config["MAX_CONTENT_LENGTH"] = 64 * 1024


@pytest.mark.parametrize("name", ["meeting", "evidence", "rota", "directory"])
def test_a_body_over_max_content_length_is_answered_413_in_japanese(small_bodies, client, login_as, uploads, name):
    upload = uploads[name]
    login_as("coordinator")
    response = upload.post(client, PDF.ljust(100 * 1024, b"\n"), "大きいファイル.pdf")
    page = response.data.decode()
    assert response.status_code == 413, page
    assert "ファイルが大きすぎます" in page and "20 MB" in page  # the feature's limit, not only an error code
    assert upload.kept() == []


def test_a_body_over_max_content_length_elsewhere_gets_the_japanese_413_page(small_bodies, client, login_as, hub):
    login_as("coordinator")
    response = client.post("/directory/new", data={"name": "x" * 100_000})
    assert response.status_code == 413 and "ファイルが大きすぎます" in response.data.decode()


# --- archives -------------------------------------------------------------------------------------------------


def _docx() -> bytes:
    from tests.support.files import ooxml_bytes

    return ooxml_bytes("word")


ARCHIVES = {
    "bomb": lambda base, folder: zip_bomb(base, f"{folder}zeros.bin"),
    "many entries": lambda base, folder: many_entries(base, 10_001, folder),
}


@pytest.mark.parametrize("kind", list(ARCHIVES))
@pytest.mark.parametrize(
    ("name", "base", "folder", "filename"),
    [
        ("meeting", _docx, "word/media/", "配布資料.docx"),
        ("meeting", workbook_bytes, "xl/media/", "出席表.xlsx"),
        ("evidence", workbook_bytes, "xl/media/", "実績.xlsx"),
        ("rota", workbook_bytes, "xl/media/", "当番表.xlsx"),
        ("directory", workbook_bytes, "xl/media/", "地域資源.xlsx"),
    ],
)
def test_archives_over_the_limits_are_refused_before_they_are_opened(
    client, login_as, uploads, name, base, folder, filename, kind
):
    upload = uploads[name]
    genuine = base()
    login_as("coordinator")
    data = ARCHIVES[kind](genuine, folder)
    response = upload.post(client, data, filename)
    assert response.status_code in (200, 302)
    assert re.search(r"圧縮を展開すると大きすぎるファイルです|中身が多すぎます", _messages(client, response))
    assert upload.kept() == []
    if name == "directory":
        genuine = workbook_bytes((("種別", "名称"), ("診療所", "かとり在宅クリニック")))
    assert upload.post(client, genuine, filename).status_code in (200, 302) and upload.kept() != []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (zipped_csv(DIRECTORY_CSV.ljust(3 * 2**20, b"\n"), "bomb.csv"), "極端に圧縮"),  # compressed > 200 times
        (lying_sizes(zipped_csv(DIRECTORY_CSV * 1000), "jigyosho.csv", 100), "壊れていて開けません"),
        (zipped_csv(zipped_csv(DIRECTORY_CSV), "inner.csv"), "ZIP ファイルの中の ZIP ファイルは読めません"),
    ],
    ids=["csv bomb", "lying size", "zip in zip"],
)
def test_a_zip_of_csv_is_checked_too(client, login_as, uploads, data, message):
    upload = uploads["directory"]
    login_as("coordinator")
    response = upload.post(client, data, "jigyosho.zip")
    assert response.status_code == 200 and message in response.data.decode()
    assert upload.kept() == []


def test_a_real_workbook_bomb_stops_the_import_before_openpyxl_reads_it(client, login_as, uploads):
    """The bomb is the sheet itself: 100 MB of spaces inside sheet1.xml, which openpyxl would parse."""
    import zipfile

    genuine = workbook_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(genuine)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                with out.open(info.filename, "w") as sheet:
                    head, tail = body.split(b"<sheetData>")
                    sheet.write(head + b"<sheetData>")
                    for _ in range(100):
                        sheet.write(b" " * 2**20)
                    sheet.write(tail)
            else:
                out.writestr(info, body)
    assert len(buffer.getvalue()) < 300_000
    login_as("coordinator")
    response = uploads["directory"].post(client, buffer.getvalue(), "地域資源.xlsx")
    assert response.status_code == 200 and "圧縮を展開すると大きすぎるファイルです" in response.data.decode()


# --- type by content ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["meeting", "evidence", "rota"])
@pytest.mark.parametrize(
    ("data", "filename"),
    [(HTML, "議事要旨.pdf"), (ELF, "資料.pdf"), (ELF, "資料.docx"), (PE, "資料.pdf"), (PE, "資料.docx")],
    ids=["html as pdf", "elf as pdf", "elf as docx", "pe as pdf", "pe as docx"],
)
def test_html_and_executables_renamed_are_refused_by_content(client, login_as, uploads, name, data, filename):
    upload = uploads[name]
    login_as("coordinator")
    response = upload.post(client, data, filename)
    # evidence and summaries come back on their page, the refusal beside the file field; meetings redirect
    assert response.status_code == (302 if name == "meeting" else 200)
    assert "この形式のファイルは登録できません" in _messages(client, response)
    if name != "meeting":
        assert "field__error" in response.data.decode()
    assert upload.kept() == []


@pytest.mark.parametrize(("data", "filename"), [(ELF, "地域資源.xlsx"), (PE, "地域資源.csv"), (HTML, "地域資源.csv")])
def test_the_directory_import_refuses_what_is_not_a_directory_file(client, login_as, uploads, data, filename):
    upload = uploads["directory"]
    login_as("coordinator")
    response = upload.post(client, data, filename)
    assert response.status_code == 200 and "field__error" in response.data.decode()
    assert "この内容で取り込む" not in response.data.decode() and upload.kept() == []


# --- downloads and storage ------------------------------------------------------------------------------------


def _assert_attachment(response, japanese_name: str) -> None:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; "), disposition
    assert f"filename*=UTF-8''{quote(japanese_name, safe='')}" in disposition, disposition
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback and fallback.group(1).isascii() and fallback.group(1), disposition


def _assert_random_name_outside_static(app, path: Path, stored_name: str) -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", stored_name)
    path = path.resolve()
    assert path.is_file() and path.is_relative_to(Path(app.instance_path).resolve() / "uploads")
    static = Path(app.static_folder).resolve()
    assert not path.is_relative_to(static) and not list(static.rglob(stored_name))


def test_meeting_documents_download_as_named_attachments(app, client, login_as, uploads):
    login_as("coordinator")
    assert uploads["meeting"].post(client, PDF, "第1回 議事要旨.pdf").status_code == 302
    (document,) = _rows(app, MeetingDocument)
    with app.app_context():
        from hubapp.meetings import documents

        _assert_random_name_outside_static(app, documents.path_of(document), document.stored_name)
    response = client.get(f"/meetings/documents/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    _assert_attachment(response, "第1回 議事要旨.pdf")
    response.close()


def test_evidence_documents_download_as_named_attachments(app, client, login_as, uploads):
    login_as("coordinator")
    assert uploads["evidence"].post(client, PDF, "協議会 議事録.pdf").status_code == 302
    (document,) = _rows(app, EvidenceDocument)
    with app.app_context():
        from hubapp.compliance import services

        _assert_random_name_outside_static(app, services.document_path(document), document.stored_name)
    response = client.get(f"/compliance/documents/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    _assert_attachment(response, "協議会 議事録.pdf")
    response.close()


def test_rota_summary_documents_download_as_named_attachments(app, client, login_as, uploads):
    login_as("coordinator")
    assert uploads["rota"].post(client, PDF, "当番表 4月.pdf").status_code == 302
    (document,) = _rows(app, SummaryDocument)
    with app.app_context():
        from hubapp.rota import summaries

        _assert_random_name_outside_static(app, summaries.path_of(document), document.stored_name)
    response = client.get(f"/rota/summaries/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    _assert_attachment(response, "当番表 4月.pdf")
    response.close()


def test_a_held_directory_import_is_outside_static_under_a_random_name(app, client, login_as, uploads):
    login_as("coordinator")
    assert uploads["directory"].post(client, DIRECTORY_CSV, "地域資源.csv").status_code == 200
    files = _files(app, "imports")
    (held,) = [p for p in files if p.suffix == ".bin"]
    (meta,) = [p for p in files if p.name.endswith(".json") and not p.name.endswith(".preview.json")]
    assert [p.name for p in files if p.name.endswith(".preview.json")] == [f"{held.stem}.preview.json"]
    assert held.suffix == ".bin" and held.read_bytes() == DIRECTORY_CSV
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", held.stem) and held.stem == meta.stem
    assert not held.resolve().is_relative_to(Path(app.static_folder).resolve())


def test_exports_download_as_attachments_with_japanese_names(client, login_as, hub, meeting):
    login_as("coordinator")
    day = today().isoformat()
    label = FiscalYear(YEAR).label_ja
    for url, name in [
        ("/directory/export.csv", f"地域資源_{day}.csv"),
        ("/directory/export.csv?encoding=cp932", f"地域資源_{day}.csv"),
        ("/directory/export.xlsx", f"地域資源_{day}.xlsx"),
        (f"/consultations/stats.csv?fy={YEAR}", f"相談支援統計_{label}.csv"),
        (f"/consultations/stats.xlsx?fy={YEAR}", f"相談支援統計_{label}.xlsx"),
        (f"/compliance/pack.zip?year={YEAR}", f"証拠書類_{hub.name}_{label}.zip"),
        (f"/meetings/{meeting.id}.ics", "第1回 多職種連携会議.ics"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_attachment(response, name)
        response.close()


def test_a_file_name_cannot_break_out_of_the_header():
    from hubapp.common.downloads import content_disposition

    header = content_disposition('会議"; filename="evil.html\r\nX-Injected: 1/../計画.ics', 'x"\r\n.ics')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.startswith('attachment; filename="x_.ics"; filename*=UTF-8\'\'')
    assert "%2F" not in header and "/" not in header.split("''", 1)[1]
