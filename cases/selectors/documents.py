"""Reads of the documents on a case, restricted by access.policy (confidential and removed
documents are the case team's only: ``_document_condition`` there)."""

from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet

from access.policy import CaseAccess, restrict
from accounts.models import User

from ..models import Case, CaseDocument, DocumentVersion


def case_documents(
    *, user: User, case: Case, removed: bool = False, access: CaseAccess | None = None
) -> QuerySet[CaseDocument]:
    """The documents of ``case`` the user may see, newest first, with their number of
    versions and the date of the last one (one query). ``removed``: the removed ones instead
    (the case team's history; nobody else gets any). ``access``: the case's access decided
    for the request (the steering page)."""
    documents = CaseDocument.objects.filter(case=case, removed_at__isnull=not removed)
    documents = restrict(documents, user) if access is None else access.children(documents)
    # Explicitly: a query with GROUP BY (the counts) leaves out the model's ordering.
    return documents.annotate(
        version_count=Count("versions"), last_uploaded_at=Max("versions__uploaded_at")
    ).order_by("-created_at", "-id")


def with_versions(documents: QuerySet[CaseDocument]) -> QuerySet[CaseDocument]:
    """``documents`` with every version (newest first) and who uploaded it: one query more."""
    return documents.select_related("created_by", "removed_by").prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
        )
    )


def document_version(*, document: CaseDocument, number: Any) -> DocumentVersion | None:
    """Version ``number`` of ``document`` (the latest when ``number`` is empty), or None."""
    versions = document.versions.order_by("-number")
    if number in (None, ""):
        return versions.first()
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        return None
    return versions.filter(number=wanted).first()
