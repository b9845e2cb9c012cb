"""Reads for referrals and for the gaps in the care offer signalled from a case."""

from django.db.models import QuerySet

from access.policy import Action, restrict
from accounts.models import User
from partners.models import Gap

from ..models import Case, Referral


def case_referrals(*, case: Case, user: User) -> QuerySet[Referral]:
    """The referrals of a case, in and out, latest first."""
    from .inbox import with_partner_answer

    return with_partner_answer(
        restrict(Referral.objects.filter(case=case), user, Action.VIEW).select_related("partner")
    )


def case_gaps(*, case: Case, user: User) -> QuerySet[Gap]:
    """Gaps in the care offer signalled from this case, for whoever may see the case.

    A gap is not a child of the case (it belongs to the network and outlives the case), so
    access goes through the case itself rather than a ``case_access_path``.
    """
    visible_case = restrict(Case.objects.filter(pk=case.pk), user, Action.VIEW).values("pk")
    return Gap.objects.filter(case__in=visible_case).select_related("organisation")
