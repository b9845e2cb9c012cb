"""Documents on a case: add one, add a version of one, remove one (kept in the history).

The file is checked before anything is stored (``common.uploads``: the allow-list below, the
size limit ``FJC_DOCUMENT_MAX_MB``, its kind read from its bytes): a refused file leaves no
row and no file. Access is the view's (change access on the case); the services check that
the document belongs to the case they are given.
"""

import hashlib
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.history import attribute
from common.uploads import DOCX, JPEG, ODT, PDF, PNG, UploadKind, check_upload

from ..models import Case, CaseDocument, DocumentKind, DocumentVersion

# What a case document may be (docs/architecture.md, "Documents on a case"). Plain text is
# left out on purpose: it has no signature to check, so an HTML page or a script would pass
# as "text"; spreadsheets are not case documents.
DOCUMENT_KINDS: tuple[UploadKind, ...] = (PDF, DOCX, ODT, JPEG, PNG)


def document_max_bytes() -> int:
    return int(settings.FJC_DOCUMENT_MAX_MB) * 1024 * 1024


def _checked(upload: Any) -> UploadKind:
    if not upload:
        raise ValidationError({"file": _("Choose a file to upload.")})
    return check_upload(upload, field="file", kinds=DOCUMENT_KINDS, max_bytes=document_max_bytes())


def _client_name(upload: Any, kind: UploadKind) -> str:
    """The name the uploader gave, as a name only (no path, no control characters)."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        name = name[: 255 - len(kind.extensions[0])] + kind.extensions[0]
    return name or f"document{kind.extensions[0]}"


def _checksum(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _store_version(
    *, document: CaseDocument, by: User, upload: Any, kind: UploadKind
) -> DocumentVersion:
    latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = DocumentVersion(
        document=document,
        number=latest + 1,
        original_name=_client_name(upload, kind),
        content_type=kind.content_type,
        size=upload.size,
        sha256=_checksum(upload),
        uploaded_by=by,
    )
    # The stored name is random (models.documents._stored_name); only its extension is ours.
    version.file.save(f"document{kind.extensions[0]}", upload, save=False)
    try:
        version.save()
    except Exception:
        version.file.delete(save=False)
        raise
    return version


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    return title


@transaction.atomic
def document_add(
    *,
    case: Case,
    by: User,
    title: str,
    kind: str,
    confidential: bool,
    upload: Any,
) -> CaseDocument:
    """A new document on ``case`` with its first version."""
    title = _check_title(title)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    upload_kind = _checked(upload)
    document = CaseDocument(
        case=case, title=title, kind=kind, confidential=confidential, created_by=by
    )
    attribute(document, by).save()
    _store_version(document=document, by=by, upload=upload, kind=upload_kind)
    return document


@transaction.atomic
def document_add_version(
    *, case: Case, by: User, document: CaseDocument, upload: Any
) -> DocumentVersion:
    """A new version of ``document``; the earlier ones stay as they are."""
    upload_kind = _checked(upload)
    # The lock makes two uploads at the same moment numbers n+1 and n+2, not a clash.
    current = CaseDocument.objects.select_for_update().get(pk=document.pk)
    if current.case_id != case.pk:
        raise ValidationError(_("This document belongs to another case."))
    if current.is_removed:
        raise ValidationError(_("This document was removed; a new version cannot be added."))
    return _store_version(document=current, by=by, upload=upload, kind=upload_kind)


@transaction.atomic
def document_remove(*, case: Case, by: User, document: CaseDocument) -> CaseDocument:
    """Hide ``document`` from the list; it, its versions and files stay (the history)."""
    current = CaseDocument.objects.select_for_update().get(pk=document.pk)
    if current.case_id != case.pk:
        raise ValidationError(_("This document belongs to another case."))
    if current.is_removed:
        return current
    current.removed_at = timezone.now()
    current.removed_by = by
    attribute(current, by).save()
    return current
