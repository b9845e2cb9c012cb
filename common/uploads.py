"""Checking uploaded documents: an allow-list of kinds, a size limit and content sniffing.

Signed agreements and a prosecutor's signed authorisations are stored privately and
downloaded by staff, so a file must be what it claims to be. The kind is read from the
file's own bytes (its magic number and, for office documents, the parts inside the ZIP
container), never from the name's extension or the browser's content type, which the
uploader controls. The extension must then agree with what the bytes are, so a download
opens in the program its name promises.

No library is needed: PDF, PNG and JPEG have fixed signatures, and the office formats are
ZIP containers whose member names (OOXML) or ``mimetype`` member (OpenDocument) say what
they are. Only the central directory and the small ``mimetype`` member are read, never a
whole member, so a ZIP bomb is not expanded. Office documents with macros are refused.
"""

import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class UploadKind:
    key: str
    extensions: tuple[str, ...]
    content_type: str


PDF = UploadKind("pdf", (".pdf",), "application/pdf")
PNG = UploadKind("png", (".png",), "image/png")
JPEG = UploadKind("jpeg", (".jpg", ".jpeg"), "image/jpeg")
DOCX = UploadKind(
    "docx",
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = UploadKind(
    "xlsx", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
ODT = UploadKind("odt", (".odt",), "application/vnd.oasis.opendocument.text")
ODS = UploadKind("ods", (".ods",), "application/vnd.oasis.opendocument.spreadsheet")

ALLOWED_KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS)
_OPENDOCUMENT = {ODT.content_type: ODT, ODS.content_type: ODS}
# OOXML parts that only a macro-enabled document has.
_MACRO_PARTS = ("vbaProject.bin", "vbaProject", "macros/")


def _head(file: IO[bytes], size: int) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


def _sniff_zip(file: IO[bytes]) -> UploadKind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if any(part in name for name in names for part in _MACRO_PARTS):
                return None
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return _OPENDOCUMENT.get(declared)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    finally:
        file.seek(0)
    return None


def sniff(file: IO[bytes]) -> UploadKind | None:
    """The allowed kind the file's bytes show, or None (not allowed or not recognised)."""
    head = _head(file, 8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(file)
    return None


def check_upload(
    upload: Any,
    *,
    field: str,
    kinds: tuple[UploadKind, ...] = ALLOWED_KINDS,
    max_bytes: int | None = None,
) -> UploadKind:
    """Refuse a file that is too large, not an allowed kind by its content, or whose name's
    extension does not match its content; the kind otherwise. Messages keyed by ``field``.

    ``kinds``: the allow-list of this use (default: every kind this module knows);
    ``max_bytes``: its size limit (default: ``settings.FJC_UPLOAD_MAX_BYTES``).
    """
    limit = settings.FJC_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                field: _("The file is too large: at most %(limit)s.")
                % {"limit": filesizeformat(limit)}
            }
        )
    kind = sniff(upload.file if hasattr(upload, "file") else upload)
    allowed = ", ".join(ext for k in kinds for ext in k.extensions)
    if kind is None or kind not in kinds:
        raise ValidationError(
            {
                field: _(
                    "This kind of file is not accepted. Upload a PDF, an image (PNG or JPEG) "
                    "or an office document (%(allowed)s)."
                )
                % {"allowed": allowed}
            }
        )
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(kind.extensions):
        raise ValidationError(
            {
                field: _(
                    "The file's name does not match its content: give it the extension "
                    "%(extension)s."
                )
                % {"extension": kind.extensions[0]}
            }
        )
    return kind


def is_new_upload(file_field: Any) -> bool:
    """Whether a model's file field holds a file uploaded in this request (not yet stored)."""
    return bool(file_field) and not getattr(file_field, "_committed", True)
