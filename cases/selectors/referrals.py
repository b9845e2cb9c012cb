"""Reads for referrals and for the gaps in the care offer signalled from a case."""

from django.db.models import QuerySet

from access.policy import Action, CaseAccess, restrict
from accounts.models import User
from partners.models import Gap

from ..models import Case, Referral


def case_referrals(
    *, case: Case, user: User, access: CaseAccess | None = None
) -> QuerySet[Referral]:
    """The referrals of a case, in and out, latest first. ``access``: the case's access
    decided for the request (the steering page)."""
    from .inbox import with_partner_answer

    referrals = Referral.objects.filter(case=case)
    referrals = (
        restrict(referrals, user, Action.VIEW) if access is None else access.children(referrals)
    )
    return with_partner_answer(referrals.select_related("partner"))


def case_gaps(*, case: Case, user: User, access: CaseAccess | None = None) -> QuerySet[Gap]:
    """Gaps in the care offer signalled from this case, for whoever may see the case.

    A gap is not a child of the case (it belongs to the network and outlives the case), so
    access goes through the case itself rather than a ``case_access_path``.
    """
    if access is not None:
        gaps = Gap.objects.filter(case_id=case.pk) if access.sees_case else Gap.objects.none()
    else:
        visible_case = restrict(Case.objects.filter(pk=case.pk), user, Action.VIEW).values("pk")
        gaps = Gap.objects.filter(case__in=visible_case)
    return gaps.select_related("organisation")
