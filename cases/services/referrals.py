"""Referrals between the FJC and its partners, and their answers.

The answer follows a small state machine::

    pending ──> accepted ──> done
       │
       ├──> declined (with a reason; final)
       └──> done (the partner did the work without answering first; counts as accepted
                  on the same day)

``declined`` and ``done`` are final: a referral made again is a new referral, so the
network dashboard counts it again. Answers may still be recorded on a closed case, since
a partner's answer often arrives after the FJC closed its file; a new referral may not.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import (
    Case,
    CasePartner,
    EventKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from .events import record_event
from .shares import GROUND_FIELDS, ShareTerms, ground_errors
from .trajectory import _check_past_date, _check_required, _short, partner_add

# From each status, the answers that may follow it.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    ReferralStatus.PENDING: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.DONE}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.DONE}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.DONE: frozenset(),
}


@transaction.atomic
def referral_create(
    *,
    case: Case,
    by: User,
    direction: ReferralDirection | str,
    partner: Organisation,
    referred_on: datetime.date,
    reason: str,
    ground: str = "",
    consent_given_by: str = "",
    consent_given_on: datetime.date | None = None,
    consent_purpose: str = "",
    consultation_reference: str = "",
    necessity_reason: str = "",
    legal_duty: str = "",
    partner_information: str = "",
) -> Referral:
    """Record a referral. An outgoing one needs the ground for sharing with the partner (a
    ground of ``ShareGround`` with its particulars, as for a share), reaches the partner's
    inbox and tells its inbox users (issue 19, part 3)."""
    direction = ReferralDirection(direction)
    # Locked, so a referral cannot slip in while someone closes the case.
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.is_closed:
        raise ValidationError(_("A closed case must be reopened before it is referred."))
    if not partner.is_active:
        raise ValidationError({"partner": _("This organisation is no longer active.")})
    _check_past_date("referred_on", referred_on)
    reason = _check_required("reason", reason)
    terms = ShareTerms(
        ground=ground or "",
        consent_given_by=consent_given_by.strip(),
        consent_given_on=consent_given_on,
        consent_purpose=consent_purpose.strip(),
        consultation_reference=consultation_reference.strip(),
        necessity_reason=necessity_reason.strip(),
        legal_duty=legal_duty.strip(),
    )
    particulars: dict[str, object] = {}
    if direction == ReferralDirection.OUTGOING:
        if errors := ground_errors(terms.ground, terms):
            raise ValidationError(errors)
        # Only the chosen ground's own particulars are kept.
        particulars = {name: getattr(terms, name) for name in GROUND_FIELDS[terms.ground]}
    referral = Referral(
        case=current,
        direction=direction,
        partner=partner,
        referred_on=referred_on,
        reason=reason,
        created_by=by,
        ground=terms.ground or None,
        partner_information=(
            partner_information.strip() if direction == ReferralDirection.OUTGOING else ""
        ),
        **particulars,
    )
    attribute(referral, by)
    referral.save()
    if direction == ReferralDirection.OUTGOING:
        from .inbox import notify_inbox_arrival

        notify_inbox_arrival(referral)
    kind = (
        EventKind.REFERRAL_SENT
        if direction == ReferralDirection.OUTGOING
        else EventKind.REFERRAL_RECEIVED
    )
    # The reason may describe the family; the timeline names the organisation and date only.
    record_event(
        case=current, kind=kind, actor=by, summary=f"{partner.name}, {_short(referred_on)}"
    )
    return referral


def _join_care_trajectory(
    referral: Referral, by: User, role: str, since: datetime.date
) -> CasePartner | None:
    """Add the partner of an accepted outgoing referral to the care trajectory, unless it is
    already in it on that day."""
    case = referral.case
    if referral.direction != ReferralDirection.OUTGOING:
        raise ValidationError(
            {"join_care_trajectory": _("Only a partner the FJC referred to joins the trajectory.")}
        )
    if case.is_anonymous_consult:
        raise ValidationError(
            {"join_care_trajectory": _("An anonymous consult has no care trajectory.")}
        )
    role = _check_required("care_role", role)
    already = CasePartner.objects.filter(case=case, organisation=referral.partner).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    if already.exists():
        return None
    return partner_add(case=case, by=by, organisation=referral.partner, role=role, since=since)


@transaction.atomic
def referral_answer(
    *,
    referral: Referral,
    by: User,
    status: ReferralStatus | str,
    on: datetime.date,
    decline_reason: str = "",
    expected_version: int | None = None,
    join_care_trajectory: bool = False,
    care_role: str = "",
) -> Referral:
    """Record the answer to a referral: accepted, declined (with a reason) or done.

    ``join_care_trajectory``: for an outgoing referral that is accepted (or done), also
    put the partner in the case's care trajectory from ``on``, doing ``care_role``.
    """
    current = locked_for_update(referral, expected_version)
    status = ReferralStatus(status)
    if status not in NEXT_STATUSES[current.status]:
        if current.is_open:
            message = _("An accepted referral can only be marked as done.")
        else:
            message = _("This referral has already been answered.")
        raise ValidationError({"status": message})
    _check_past_date("on", on)
    if on < current.referred_on:
        raise ValidationError({"on": _("The answer cannot be before the referral.")})
    if current.answered_on is not None and on < current.answered_on:
        raise ValidationError({"on": _("The work cannot be done before it was accepted.")})
    decline_reason = decline_reason.strip()
    if status == ReferralStatus.DECLINED:
        decline_reason = _check_required("decline_reason", decline_reason)
    elif decline_reason:
        raise ValidationError(
            {"decline_reason": _("A reason for declining goes only with a declined referral.")}
        )
    if status == ReferralStatus.DONE:
        current.done_on = on
        current.answered_on = current.answered_on or on
    else:
        current.answered_on = on
        current.decline_reason = decline_reason
    current.status = status
    save_versioned(current, by)
    record_event(
        case=current.case,
        kind=EventKind.REFERRAL_ANSWERED,
        actor=by,
        summary=f"{current.partner.name}: {status.label}, {_short(on)}",
    )
    if join_care_trajectory:
        if status == ReferralStatus.DECLINED:
            raise ValidationError(
                {"join_care_trajectory": _("A declined referral adds no partner.")}
            )
        _join_care_trajectory(current, by, care_role, on)
    return current
