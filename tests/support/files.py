"""Hand-built files for upload tests: a minimal OOXML package of each kind."""

import io
import zipfile

_MAIN_TYPES = {
    "word": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "ppt": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "xlsm": ("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
}


def ooxml_bytes(kind: str = "word", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal hand-built OOXML package: [Content_Types].xml, the package relationships, the main part."""
    part, content_type = _MAIN_TYPES[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{part}"/></Relationships>',
        )
        archive.writestr(part, '<?xml version="1.0" encoding="UTF-8"?><document>議事要旨</document>')
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return buffer.getvalue()
