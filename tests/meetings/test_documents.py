"""Meeting documents (議事要旨・配布資料): accepted by content not name, stored under instance/uploads with a
random name, downloaded only inside the hub as an attachment, and every upload, download and deletion audited.
"""

import hashlib
import io
import re
import stat
import struct
import zipfile
import zlib
from datetime import date, time
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.common.roles import Role
from hubapp.extensions import db
from hubapp.meetings import documents, services
from hubapp.meetings.documents import DocumentError
from hubapp.meetings.models import DocumentKind, Meeting, MeetingDocument, MeetingKind
from tests.support.files import ooxml_bytes
from tests.twofactor import next_code

# --- sample files ----------------------------------------------------------------------------------------


def pdf_bytes(text: str = "minutes") -> bytes:
    """A small but complete PDF (one page, a correct cross-reference table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40





def xlsx_bytes() -> bytes:
    """A real workbook written by openpyxl."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["職種", "出席"])
    workbook.active.append(["訪問看護師", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office file")
    return buffer.getvalue()


def ole_bytes(*names: str, major: int = 3) -> bytes:
    """A compound file (MS-CFB) whose directory holds these storage/stream names: one FAT sector and one
    directory sector (enough for the directory; the streams themselves are empty)."""
    shift = 9 if major == 3 else 12
    size = 1 << shift
    header = bytearray(b"\x00" * 512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, major, 0xFFFE, shift, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 72, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    header = bytes(header) + b"\x00" * (size - 512)
    fat = struct.pack(f"<{size // 4}I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * (size // 4 - 2)))
    entries = b""
    for number, name in enumerate(["Root Entry", *names]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), 5 if number == 0 else 2, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        entries += bytes(entry)
    directory = entries + b"\x00" * (size - len(entries))
    return header + fat + directory


# --- fixtures ------------------------------------------------------------------------------------------------


def make_meeting(hub_id: int, title: str = "第1回 多職種連携会議") -> Meeting:
    day = date(2026, 6, 10)
    meeting, _changed = services.save_meeting(
        hub_id,
        {
            "kind": MeetingKind.MULTIDISCIPLINARY, "title": title,
            "starts_at": services.jst_datetime(day, time(18, 30)), "ends_at": services.jst_datetime(day, time(20, 0)),
            "place": "", "online_url": "", "agenda": "", "summary": "", "organizer_name": "", "organizer_email": "",
        },
        [],
        [],
    )
    return meeting


@pytest.fixture
def meeting(app_ctx, hub):
    return make_meeting(hub.id)


def uploads_root(app) -> Path:
    return (Path(app.instance_path) / "uploads").resolve()


def stored_files(app) -> list[Path]:
    root = uploads_root(app)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def audit_rows(entity: str = "meeting_documents", action: AuditAction | None = None) -> list[AuditLog]:
    query = sa.select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)
    if action is not None:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query))


# --- sniffing: by content, never by name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (pdf_bytes(), "議事要旨.pdf", (documents.PDF, ".pdf")),
        (png_bytes(), "会場.png", (documents.PNG, ".png")),
        (JPEG, "写真.JPEG", (documents.JPEG, ".jpeg")),
        (JPEG, "写真", (documents.JPEG, ".jpg")),
        (GIF, "図.gif", (documents.GIF, ".gif")),
        (WEBP, "図.webp", (documents.WEBP, ".webp")),
        (ooxml_bytes("word"), "配布資料.docx", (documents.DOCX, ".docx")),
        (xlsx_bytes(), "出席表.xlsx", (documents.XLSX, ".xlsx")),
        (ooxml_bytes("ppt"), "スライド.pptx", (documents.PPTX, ".pptx")),
        (ole_bytes("WordDocument", "1Table", "\x05SummaryInformation"), "旧形式.doc", (documents.DOC, ".doc")),
        (ole_bytes("Workbook"), "旧形式.xls", (documents.XLS, ".xls")),
        (ole_bytes("Book", major=4), "とても古い.xls", (documents.XLS, ".xls")),
        (ole_bytes("PowerPoint Document", "Current User"), "旧形式.ppt", (documents.PPT, ".ppt")),
        # the content decides, the name's extension follows it
        (pdf_bytes(), "本当はPDF.docx", (documents.PDF, ".pdf")),
        (xlsx_bytes(), "表.docx", (documents.XLSX, ".xlsx")),
    ],
)
def test_accepted_types_are_recognised_by_content(data, name, expected):
    assert documents.sniff(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "議事要旨.pdf"),
        (SVG, "図.png"),
        (SVG, "図.svg"),
        (EXE, "資料.docx"),
        (EXE, "資料.pdf"),
        (ELF, "資料.pdf"),
        (ELF, "資料.docx"),
        (HTML, "議事要旨.docx"),
        (plain_zip_bytes(), "資料.docx"),
        (b"%!PS-Adobe-3.0\n", "資料.pdf"),
        (b"just some text\n", "memo.txt"),
        (b"PK\x03\x04broken zip", "資料.xlsx"),
        (ole_bytes("\x05SummaryInformation", "!_StringData"), "installer.doc"),  # an .msi-like compound file
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "truncated.xls"),
    ],
)
def test_other_content_is_refused_whatever_the_name(data, name):
    with pytest.raises(DocumentError) as caught:
        documents.sniff(data, name)
    message = str(caught.value)
    assert "この形式のファイルは登録できません" in message and "PDF" in message and "Excel" in message


def test_macro_enabled_office_files_are_refused():
    for data in (
        ooxml_bytes("xlsm"),
        ooxml_bytes("word", {"word/vbaProject.bin": b"\x00" * 16}),
        ole_bytes("WordDocument", "Macros", "VBA"),
        ole_bytes("Workbook", "_VBA_PROJECT_CUR"),
    ):
        with pytest.raises(DocumentError, match="マクロ"):
            documents.sniff(data, "資料")


def test_password_protected_office_files_are_refused_with_their_own_message():
    with pytest.raises(DocumentError, match="パスワード"):
        documents.sniff(ole_bytes("EncryptedInfo", "EncryptedPackage"), "資料.docx")


def test_zip_bombs_are_refused_before_anything_is_unpacked():
    from tests.archive_samples import lying_sizes, many_entries, zip_bomb

    docx = ooxml_bytes("word")
    assert documents.sniff(docx, "a.docx")[0] == documents.DOCX
    for data in (zip_bomb(docx, "word/media/zeros.bin"), many_entries(docx, 10_001, "word/media/")):
        with pytest.raises(DocumentError, match="大きすぎる|多すぎます"):
            documents.sniff(data, "a.docx")
    # [Content_Types].xml saying 100 bytes while holding more: refused as damaged, never read past 100
    with pytest.raises(DocumentError, match="この形式のファイルは登録できません"):
        documents.sniff(lying_sizes(docx, "[Content_Types].xml", 100), "a.docx")


def test_a_damaged_compound_file_is_refused_not_crashed():
    data = bytearray(ole_bytes("WordDocument"))
    struct.pack_into("<I", data, 48, 7)  # directory in a sector past the end
    with pytest.raises(DocumentError):
        documents.sniff(bytes(data), "a.doc")
    looped = bytearray(ole_bytes("WordDocument"))
    struct.pack_into("<I", looped, 512 + 4, 1)  # the directory sector's chain points at itself
    with pytest.raises(DocumentError):
        documents.sniff(bytes(looped), "a.doc")


# --- file names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("../../etc/passwd.pdf", ".pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini", None, "win.ini"),
        ("C:\\Users\\山田\\Desktop\\第3回 議事要旨（案）.pdf", ".pdf", "第3回 議事要旨（案）.pdf"),
        ("/var/www/配布資料.docx", ".docx", "配布資料.docx"),
        ("..", ".pdf", "資料.pdf"),
        ("../.pdf", ".pdf", "資料.pdf"),
        ("", ".xlsx", "資料.xlsx"),
        ("   ", None, "資料"),
        ("evil\x00.html.pdf", ".pdf", "evil.html.pdf"),
        ("line\nbreak\r.pdf", ".pdf", "linebreak.pdf"),
        ("invoice\u202efdp.exe", ".pdf", "invoicefdp.exe.pdf"),  # no right-to-left override
        ("report.docx", ".pdf", "report.pdf"),  # content wins over the name
        ("photo.JPG", ".jpg", "photo.jpg"),
        ("notes.html", ".pdf", "notes.html.pdf"),
        ('会議:"資料"?.pdf', ".pdf", "会議__資料__.pdf"),
        ("report.pdf.", ".pdf", "report.pdf"),
        ("か\u3099いこ\u3099.pdf", ".pdf", "がいご.pdf"),  # NFD from a Mac becomes NFC
    ],
)
def test_clean_filename(name, extension, expected):
    assert documents.clean_filename(name, extension) == expected


def test_long_names_are_cut_keeping_the_extension():
    cleaned = documents.clean_filename("長" * 300 + ".pptx", ".pptx")
    assert cleaned.endswith(".pptx") and len(cleaned) == documents.MAX_NAME_LENGTH
    assert set(cleaned.removesuffix(".pptx")) == {"長"}


# --- storing ------------------------------------------------------------------------------------------------------


@pytest.fixture
def uploader(app, hub, create_user):
    return create_user("coordinator-1", Role.COORDINATOR, hubs=(hub,))


def test_store_keeps_the_file_outside_static_under_a_random_name(uploader, app_ctx, meeting, hub):
    user = uploader
    data = pdf_bytes("first meeting")
    document = documents.store(meeting, DocumentKind.MINUTES, "../../etc/passwd.pdf", data, user.id)
    assert document.id is not None and document.hub_id == hub.id and document.meeting_id == meeting.id
    assert document.filename == "passwd.pdf"
    assert (document.kind, document.content_type, document.size) == (DocumentKind.MINUTES, documents.PDF, len(data))
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.uploaded_by_id == user.id
    assert re.fullmatch(r"[0-9a-f]{40}", document.stored_name)
    path = documents.path_of(document).resolve()
    folder = uploads_root(app_ctx) / "meetings" / str(hub.id)
    assert path.parent == folder and path.is_relative_to(uploads_root(app_ctx))
    assert path.read_bytes() == data
    assert stored_files(app_ctx) == [path]  # no temporary file left, nothing anywhere else
    assert not list((Path(app_ctx.root_path).parent / "static").rglob(document.stored_name))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for level in (folder, folder.parent, folder.parent.parent):
        assert stat.S_IMODE(level.stat().st_mode) == 0o700
    assert meeting.documents == [document]


def test_the_upload_is_audited_with_the_hub(app_ctx, meeting, hub):
    document = documents.store(meeting, "handout", "配布資料.docx", ooxml_bytes(), None)
    db.session.commit()
    (created,) = audit_rows(action=AuditAction.CREATE)
    assert created.entity_id == document.id and created.hub_id == hub.id
    assert created.changes["filename"] == [None, "配布資料.docx"]
    assert created.changes["kind"] == [None, "handout"]
    assert created.changes["sha256"] == [None, document.sha256]


@pytest.mark.parametrize("data", [HTML, SVG, plain_zip_bytes(), b""])
def test_refused_files_leave_nothing_behind(app_ctx, meeting, data):
    with pytest.raises(DocumentError):
        documents.store(meeting, DocumentKind.HANDOUT, "資料.pdf", data, None)
    assert stored_files(app_ctx) == []
    assert db.session.scalars(sa.select(MeetingDocument)).all() == []


def test_empty_and_oversized_files_are_refused(app_ctx, meeting, monkeypatch):
    with pytest.raises(DocumentError, match="空"):
        documents.store(meeting, DocumentKind.MINUTES, "空.pdf", b"", None)
    assert app_ctx.config["MEETING_UPLOAD_MAX_BYTES"] == 20 * 1024 * 1024  # the documented default
    monkeypatch.setitem(app_ctx.config, "MEETING_UPLOAD_MAX_BYTES", 2048)
    exactly = pdf_bytes().ljust(2048, b"\n")
    assert documents.store(meeting, DocumentKind.MINUTES, "ちょうど.pdf", exactly, None).size == 2048
    with pytest.raises(DocumentError, match="大きすぎます（上限"):
        documents.store(meeting, DocumentKind.MINUTES, "大きい.pdf", exactly + b"\n", None)


def test_a_failed_flush_removes_the_file(app_ctx, meeting, monkeypatch):
    def fail():
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "flush", fail)
    with pytest.raises(sa.exc.OperationalError):
        documents.store(meeting, DocumentKind.MINUTES, "議事要旨.pdf", pdf_bytes(), None)
    assert stored_files(app_ctx) == []


def test_a_rolled_back_upload_removes_its_file_and_a_committed_one_stays(app_ctx, meeting):
    documents.store(meeting, DocumentKind.MINUTES, "取り消し.pdf", pdf_bytes(), None)
    assert len(stored_files(app_ctx)) == 1
    db.session.rollback()
    assert stored_files(app_ctx) == []
    meeting = make_meeting(meeting.hub_id)
    kept = documents.store(meeting, DocumentKind.MINUTES, "残す.pdf", pdf_bytes(), None)
    db.session.commit()
    db.session.rollback()
    assert stored_files(app_ctx) == [documents.path_of(kept).resolve()]


def test_get_document_is_hub_scoped(create_hub, app_ctx, hub):
    other = create_hub("別の拠点")  # before the meeting: its own context commits on its own connection
    meeting = make_meeting(hub.id)
    document = documents.store(meeting, DocumentKind.MINUTES, "議事要旨.pdf", pdf_bytes(), None)
    db.session.commit()
    assert documents.get_document(hub.id, document.id) == document
    assert documents.get_document(other.id, document.id) is None
    assert documents.get_document(hub.id, document.id + 1) is None


def test_delete_removes_the_row_then_the_file_on_commit(app_ctx, meeting):
    document = documents.store(meeting, DocumentKind.SURVEY, "アンケート.xlsx", xlsx_bytes(), None)
    db.session.commit()
    path, document_id = documents.path_of(document), document.id
    documents.delete(document)
    assert path.exists()  # not yet: the deletion could still be rolled back
    db.session.rollback()
    assert path.exists() and db.session.get(MeetingDocument, document_id) is not None
    documents.delete(db.session.get(MeetingDocument, document_id))
    db.session.commit()
    assert not path.exists() and db.session.get(MeetingDocument, document_id) is None
    (deleted,) = audit_rows(action=AuditAction.DELETE)
    assert deleted.entity_id == document_id and deleted.changes["filename"] == ["アンケート.xlsx", None]


def test_deleting_the_meeting_removes_its_files(app_ctx, meeting):
    document = documents.store(meeting, DocumentKind.MINUTES, "議事要旨.pdf", pdf_bytes(), None)
    db.session.commit()
    path = documents.path_of(document)
    db.session.delete(meeting)
    db.session.commit()
    assert not path.exists()


def test_path_of_refuses_a_stored_name_that_is_not_ours(app_ctx, meeting):
    document = documents.store(meeting, DocumentKind.MINUTES, "議事要旨.pdf", pdf_bytes(), None)
    document.stored_name = "../../secret_key"
    with pytest.raises(ValueError):
        documents.path_of(document)


# --- routes ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def routes(app):
    if "meetings.document_upload" not in app.view_functions:
        pytest.fail("register the routes: import hubapp.meetings.document_views in register_blueprints()")


@pytest.fixture
def saved_meeting(app, hub) -> int:
    with app.app_context():
        meeting = make_meeting(hub.id)
        db.session.commit()
        return meeting.id


def store_committed(app, hub_id: int, meeting_id: int, name: str, data: bytes) -> int:
    with app.app_context():
        meeting = services.get_meeting(hub_id, meeting_id)
        document = documents.store(meeting, DocumentKind.MINUTES, name, data, None)
        db.session.commit()
        return document.id


def logged_in_client(app, create_user, username: str, role: Role, hubs):
    create_user(username, role, hubs=hubs)
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "test-password-1234"})
    if response.location == "/login/2fa":
        response = client.post("/login/2fa", data={"code": next_code(app, username)})
    assert response.status_code == 302
    return client


def upload(client, meeting_id: int, data: bytes, name: str, kind: str = "minutes"):
    return client.post(
        f"/meetings/{meeting_id}/documents", data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_coordinator_uploads_and_the_document_is_listed(routes, app, client, login_as, hub, saved_meeting):
    from flask import render_template

    from hubapp.meetings.document_views import DocumentForm

    coordinator = login_as("coordinator")
    response = upload(client, saved_meeting, pdf_bytes(), "第1回 議事要旨.pdf")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{saved_meeting}#documents"
    with app.app_context():
        (document,) = db.session.scalars(sa.select(MeetingDocument)).all()
        assert (document.filename, document.kind, document.uploaded_by_id) == (
            "第1回 議事要旨.pdf", DocumentKind.MINUTES, coordinator.id)
        document_id = document.id
    with app.test_request_context("/"):
        meeting = services.get_meeting(hub.id, saved_meeting)
        html = render_template("meetings/_documents.html", meeting=meeting, can_edit=True,
                               document_form=DocumentForm())
    assert "第1回 議事要旨.pdf" in html and "議事要旨" in html
    assert f'href="/meetings/documents/{document_id}"' in html
    assert f'action="/meetings/documents/{document_id}/delete"' in html
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert "1 KB" in html
    with app.test_request_context("/"):
        html = render_template("meetings/_documents.html", meeting=services.get_meeting(hub.id, saved_meeting),
                               can_edit=False)
    assert "第1回 議事要旨.pdf" in html and "/delete" not in html and 'type="file"' not in html


def test_an_upload_with_html_inside_is_refused_with_a_message(routes, app, client, login_as, saved_meeting):
    login_as("coordinator")
    response = upload(client, saved_meeting, HTML, "議事要旨.pdf")
    assert response.status_code == 302
    with client.session_transaction() as session:
        messages = [message for _category, message in session.get("_flashes", [])]
    assert any("この形式のファイルは登録できません" in m for m in messages)
    with app.app_context():
        assert db.session.scalars(sa.select(MeetingDocument)).all() == []
    assert stored_files(app) == []


def test_an_upload_without_a_file_is_refused_with_a_message(routes, client, login_as, saved_meeting):
    login_as("coordinator")
    response = client.post(f"/meetings/{saved_meeting}/documents", data={"kind": "minutes"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert any("ファイルを選んでください" in m for _c, m in session.get("_flashes", []))


def test_a_member_of_the_hub_downloads_an_attachment_and_it_is_audited(routes, app, hub, saved_meeting, create_user):
    data = pdf_bytes("download me")
    document_id = store_committed(app, hub.id, saved_meeting, "第1回 議事要旨.pdf", data)
    client = logged_in_client(app, create_user, "member-1", Role.MEMBER, (hub,))
    response = client.get(f"/meetings/documents/{document_id}")
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E7%AC%AC1%E5%9B%9E%20%E8%AD%B0%E4%BA%8B%E8%A6%81%E6%97%A8.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].strip() == "sandbox"  # nothing in the file may run
    assert response.headers["Cache-Control"] == "private, no-store"
    response.close()
    with app.app_context():
        (viewed,) = audit_rows(action=AuditAction.VIEW)
        assert viewed.entity_id == document_id and viewed.hub_id == hub.id and viewed.actor == "member-1"
        assert viewed.changes["filename"] == [None, "第1回 議事要旨.pdf"]


def test_another_hubs_coordinator_gets_404(routes, app, hub, saved_meeting, create_hub, create_user):
    document_id = store_committed(app, hub.id, saved_meeting, "議事要旨.pdf", pdf_bytes())
    other = create_hub("別の拠点")
    client = logged_in_client(app, create_user, "other-coordinator", Role.COORDINATOR, (other,))
    assert client.get(f"/meetings/documents/{document_id}").status_code == 404
    assert client.post(f"/meetings/documents/{document_id}/delete").status_code == 404
    assert upload(client, saved_meeting, pdf_bytes(), "x.pdf").status_code == 404
    with app.app_context():
        assert audit_rows(action=AuditAction.VIEW) == []
        assert db.session.get(MeetingDocument, document_id) is not None


def test_anonymous_users_are_sent_to_the_login_page(routes, app, client, hub, saved_meeting):
    document_id = store_committed(app, hub.id, saved_meeting, "議事要旨.pdf", pdf_bytes())
    response = client.get(f"/meetings/documents/{document_id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    response = upload(client, saved_meeting, pdf_bytes(), "x.pdf")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_members_may_not_upload_or_delete(routes, app, hub, saved_meeting, create_user):
    document_id = store_committed(app, hub.id, saved_meeting, "議事要旨.pdf", pdf_bytes())
    client = logged_in_client(app, create_user, "member-2", Role.MEMBER, (hub,))
    assert upload(client, saved_meeting, pdf_bytes(), "x.pdf").status_code == 403
    assert client.post(f"/meetings/documents/{document_id}/delete").status_code == 403


def test_a_coordinator_deletes_a_document(routes, app, client, login_as, hub, saved_meeting):
    document_id = store_committed(app, hub.id, saved_meeting, "議事要旨.pdf", pdf_bytes())
    login_as("coordinator")
    response = client.post(f"/meetings/documents/{document_id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == f"/meetings/{saved_meeting}#documents"
    with app.app_context():
        assert db.session.get(MeetingDocument, document_id) is None
        assert [r.action for r in audit_rows()] == [AuditAction.CREATE, AuditAction.DELETE]
    assert stored_files(app) == []
    assert client.get(f"/meetings/documents/{document_id}").status_code == 404


@pytest.fixture
def small_body_limit(app_config):
    app_config["MAX_CONTENT_LENGTH"] = 4096


def test_a_body_over_max_content_length_is_answered_413_in_japanese(small_body_limit, routes, app, client, login_as,
                                                                    saved_meeting):
    login_as("coordinator")
    response = upload(client, saved_meeting, pdf_bytes().ljust(10_000, b"\n"), "大きい.pdf")
    page = response.data.decode()
    assert response.status_code == 413
    assert "ファイルが大きすぎます" in page and "登録できるファイルは 20 MB までです" in page
    assert f'href="/meetings/{saved_meeting}#documents"' in page  # the way back to the meeting
    assert stored_files(app) == []
