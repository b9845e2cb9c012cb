"""Documents on a case: a copy of a PV, a court decision, a signed consent, a letter.

A document is the thing the team talks about ("the consent form"); each upload of it is a
version, kept and downloadable by the team. Files live in private storage (MEDIA_ROOT, never
served by URL) under a random name: the name the uploader gave (often a person's name) is
kept only in the database and given back in the download's ``Content-Disposition``.
Removing a document hides it from the list and keeps it, its versions and their files: the
history of a case file does not lose what was in it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DocumentKind(models.TextChoices):
    POLICE_REPORT_COPY = "pv_copy", _("Copy of a police report (PV)")
    COURT_DECISION = "court_decision", _("Court decision")
    CONSENT_FORM = "consent_form", _("Consent form")
    REPORT = "report", _("Report")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other document")


class CaseDocument(models.Model):
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    # Confidential: for the case team only (access.policy, like a "case team only" journal
    # entry); a reader through a share never sees it, not even in a list.
    confidential = models.BooleanField(_("confidential"), default=False)
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed on"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "removed_at"], name="casedocument_case_removed")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


def _stored_name(instance: "DocumentVersion", filename: str) -> str:
    # A random name with the extension the content check settled: nothing of the client's.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"case-documents/{uuid.uuid4().hex}.{extension}"


class DocumentVersion(models.Model):
    """One upload of a document. Never changed or deleted: a new upload is a new version."""

    case_access_path = "document__case_id"

    document = models.ForeignKey(
        CaseDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    # MEDIA_ROOT is private storage: served only by the audited, policy-checked download view.
    file = models.FileField(_("file"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    # Decided from the file's content when it was accepted (common.uploads), not the client's.
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
