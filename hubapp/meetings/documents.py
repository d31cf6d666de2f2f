"""Meeting documents (議事要旨・配布資料・アンケート): storing, finding and removing them. The checks and
the storage are the shared ones of :mod:`hubapp.common.storedfiles` (its names are this module's too),
under ``instance/uploads/meetings/<hub_id>/``; the file of a deleted row (:func:`delete`, or a meeting
deleted with its documents) is removed only once the deletion is committed.
"""

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from hubapp.common.storedfiles import (  # noqa: F401 (the meetings' documents are checked and kept by these)
    _REMOVE_ON_COMMIT,
    _STORED_NAME,
    ACCEPT_ATTRIBUTE,
    ACCEPTED_TYPES_TEXT,
    DEFAULT_STEM,
    DOC,
    DOCX,
    EXTENSIONS,
    GIF,
    JPEG,
    MAX_NAME_LENGTH,
    PDF,
    PNG,
    PPT,
    PPTX,
    WEBP,
    XLS,
    XLSX,
    DocumentError,
    check_size,
    clean_filename,
    max_bytes,
    megabytes,
    remove_on_commit,
    sniff,
    stored_path,
    write_checked,
    write_upload,
)
from hubapp.extensions import db
from hubapp.meetings.models import DocumentKind, Meeting, MeetingDocument

#: Where a meeting's documents are kept: instance/uploads/meetings/<hub id>/ (as :func:`write_upload` lays out).
FOLDER = ("meetings",)


def path_of(document: MeetingDocument) -> Path:
    """Where a document's file is on disk."""
    if not _STORED_NAME.fullmatch(document.stored_name or ""):
        raise ValueError(f"meeting document {document.id}: unexpected stored name")
    return stored_path(FOLDER, document.hub_id, document.stored_name)


def store(
    meeting: Meeting, kind: DocumentKind | str, filename: str, data: bytes, user_id: int | None
) -> MeetingDocument:
    """Check the file (size, then content), write it under instance/uploads and add its row (flushed,
    so audited). Raises :class:`DocumentError` with the message for the user; nothing is kept then."""
    kind = DocumentKind(kind)
    stored = write_checked(FOLDER, meeting.hub_id, filename, data)
    document = MeetingDocument(meeting=meeting, hub_id=meeting.hub_id, kind=kind, **stored, uploaded_by_id=user_id)
    db.session.add(document)
    try:
        db.session.flush()
    except BaseException:
        stored_path(FOLDER, meeting.hub_id, stored["stored_name"]).unlink(missing_ok=True)
        raise
    return document


def get_document(hub_id: int, document_id: int) -> MeetingDocument | None:
    """A document of this hub, or None (another hub's document is not found)."""
    return db.session.scalars(
        sa.select(MeetingDocument).where(MeetingDocument.id == document_id, MeetingDocument.hub_id == hub_id)
    ).first()


def delete(document: MeetingDocument) -> None:
    """Delete the row (flushed, so audited); its file goes when the deletion is committed."""
    db.session.delete(document)
    db.session.flush()


@sa.event.listens_for(MeetingDocument, "after_delete")
def _remove_file_on_commit(mapper, connection, target: MeetingDocument) -> None:
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_REMOVE_ON_COMMIT, set()).add(str(path_of(target)))
