"""Reads for cases. Every one starts from ``access.policy.restrict``."""

from django.db.models import QuerySet
from django.utils import timezone

from access.policy import CaseAccess
from accounts.models import User
from partners.models import Organisation

from ..models import Case, CaseGroupObjectPermission, CaseShare
from .scoped import case_rows


def organisations_with_access(*, case: Case) -> QuerySet[Organisation]:
    """The organisations holding a grant on the case: the owner and those it is shared with."""
    group_ids = CaseGroupObjectPermission.objects.filter(
        content_object=case, permission__codename="view_case"
    ).values("group_id")
    return Organisation.objects.filter(group_id__in=group_ids).order_by("name")


def case_shares(*, case: Case, user: User, access: CaseAccess | None = None) -> QuerySet[CaseShare]:
    """Every disclosure record of ``case`` (open ones first, then the ended ones, newest first),
    as far as the user may see them: they are part of the file, not of a scoped share."""
    return (
        case_rows(CaseShare.objects.filter(case=case), user, access)
        .select_related("organisation", "shared_by", "ended_by")
        .order_by("ended_at", "-starts_on", "-id")
    )


def open_shares(*, case: Case, user: User, access: CaseAccess | None = None) -> QuerySet[CaseShare]:
    """The shares of ``case`` that give access today (the rule of
    ``access.policy.share_grant_condition``: not ended, started, not past the end date)."""
    today = timezone.localdate()
    return case_shares(case=case, user=user, access=access).filter(
        ended_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    )
