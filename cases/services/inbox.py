"""The partner inbox (issue 19, part 3): a partner organisation answers the referrals and the
actions addressed to it, without access to the case file.

Each answer is a dated record written once (``PartnerAnswer``: who, for which organisation,
what, when, a short answer). A referral's answer goes through
:func:`cases.services.referrals.referral_answer`, the same service the case director uses, so
its status and dates (which the figures count: ``answered_on``, ``done_on``) follow the same
rules and its history names who answered. An action's answer locks the action and moves its
version; completing it sets ``done_on`` as marking it done does. Both versions make a second,
concurrent answer a conflict: nothing is overwritten.

The case's directors are told when a partner answers; the organisation's inbox users when an
item arrives (``notices.services.notify``: the case reference, the kind, a date and a link).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access.policy import Action, inbox_recipients, restrict_inbox
from accounts.models import User
from common.versioning import locked_for_update, save_versioned
from notices.models import NoticeKind
from notices.services import notify

from ..models import (
    CaseAction,
    EventKind,
    PartnerAnswer,
    PartnerAnswerOutcome,
    Referral,
    ReferralStatus,
)
from .events import record_event
from .referrals import referral_answer

NOTE_MAX_LENGTH = 1000

# An action's answers in the inbox: from the organisation's latest answer, what may follow.
ACTION_NEXT: dict[str | None, frozenset[str]] = {
    None: frozenset(PartnerAnswerOutcome.values),
    PartnerAnswerOutcome.ACCEPTED: frozenset({PartnerAnswerOutcome.DONE}),
    PartnerAnswerOutcome.DECLINED: frozenset(),
    PartnerAnswerOutcome.DONE: frozenset(),
}


def inbox_item_url(item: Referral | CaseAction) -> str:
    if isinstance(item, Referral):
        return reverse("inbox:referral", kwargs={"inbox_referral_pk": item.pk})
    return reverse("inbox:action", kwargs={"inbox_action_pk": item.pk})


def _steering_url(case_id: int, section: str) -> str:
    return reverse("cases:detail", kwargs={"pk": case_id}) + f"#{section}"


def notify_inbox_arrival(item: Referral | CaseAction) -> None:
    """Tell the addressed organisation's inbox users that ``item`` arrived (once each)."""
    organisation_id = (
        item.partner_id if isinstance(item, Referral) else item.assignee_organisation_id
    )
    if organisation_id is None:
        return
    if isinstance(item, Referral) and item.referred_on < timezone.localdate() - datetime.timedelta(
        days=settings.FJC_REFERRAL_ANSWER_DAYS
    ):
        # Recorded afterwards, older than the answer period: in the inbox, without a notice.
        return
    kind = "referral" if isinstance(item, Referral) else "action"
    url = inbox_item_url(item)
    today = timezone.localdate()
    reference = item.case.reference
    for user in inbox_recipients(User.objects.all(), organisation_id):
        notify(
            user=user,
            kind=NoticeKind.INBOX_ITEM,
            object_key=f"inbox:{kind}:{item.pk}",
            due_on=today,
            url=url,
            reference=reference,
        )


def _notify_directors(answer: PartnerAnswer) -> None:
    case = answer.case
    section = "referrals-heading" if answer.referral_id else "actions-heading"
    directors = {case.case_director_id} | set(case.co_directors.values_list("user_id", flat=True))
    for user in User.objects.filter(pk__in=directors, is_active=True):
        notify(
            user=user,
            kind=NoticeKind.PARTNER_ANSWERED,
            object_key=f"partner_answer:{answer.pk}",
            due_on=answer.answered_on,
            url=_steering_url(case.pk, section),
            reference=case.reference,
        )


def latest_action_answer(action: CaseAction, organisation_id: int) -> str | None:
    """The latest answer of ``organisation_id`` to ``action`` (its outcome), or None."""
    answer = (
        PartnerAnswer.objects.filter(action=action, organisation_id=organisation_id)
        .order_by("-recorded_at", "-id")
        .values_list("outcome", flat=True)
        .first()
    )
    return answer


def _check_note(outcome: str, note: str) -> str:
    note = (note or "").strip()
    if outcome == PartnerAnswerOutcome.DECLINED and not note:
        raise ValidationError({"note": _("Give the reason for declining.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": _("Keep the answer short: at most %(max)s characters.")
                % {"max": NOTE_MAX_LENGTH}
            }
        )
    return note


def _answer_referral(
    referral: Referral, by: User, outcome: str, note: str, on: datetime.date, version: int
) -> Referral:
    status = ReferralStatus(outcome)
    return referral_answer(
        referral=referral,
        by=by,
        status=status,
        on=on,
        decline_reason=note if status == ReferralStatus.DECLINED else "",
        expected_version=version,
    )


def _answer_action(
    action: CaseAction, by: User, outcome: str, on: datetime.date, version: int
) -> CaseAction:
    current = locked_for_update(action, version)
    organisation_id = current.assignee_organisation_id
    if organisation_id is None or organisation_id != by.organisation_id:
        raise ValidationError(_("This action is no longer assigned to your organisation."))
    latest = latest_action_answer(current, organisation_id)
    if current.done_on is not None:
        raise ValidationError(_("This action is already done."))
    if outcome not in ACTION_NEXT[latest]:
        if latest == PartnerAnswerOutcome.ACCEPTED:
            raise ValidationError(_("An accepted action can only be marked as done."))
        raise ValidationError(_("Your organisation has already answered this action."))
    if outcome == PartnerAnswerOutcome.DONE:
        current.done_on = on
    # The version moves on with every answer: a second, concurrent answer is a conflict.
    save_versioned(current, by)
    record_event(
        case=current.case,
        kind=EventKind.ACTION_ANSWERED,
        actor=by,
        summary=f"{by.organisation}: {PartnerAnswerOutcome(outcome).label}, "
        f"{formats.date_format(on, 'SHORT_DATE_FORMAT')}",
    )
    return current


@transaction.atomic
def inbox_answer(
    *,
    item: Referral | CaseAction,
    by: User,
    outcome: PartnerAnswerOutcome | str,
    note: str = "",
    expected_version: int,
    on: datetime.date | None = None,
) -> PartnerAnswer:
    """Answer an inbox item for the user's organisation: accept, decline (with a reason in
    ``note``) or complete it, with a short answer. Only the addressed organisation's inbox
    users may (``access.policy.restrict_inbox``); a stale ``expected_version`` (someone
    answered meanwhile) raises ``EditConflict``; a broken rule ``ValidationError``."""
    model = type(item)
    if not restrict_inbox(model._default_manager.filter(pk=item.pk), by, Action.CHANGE).exists():
        raise PermissionDenied
    if outcome not in PartnerAnswerOutcome.values:
        raise ValidationError({"outcome": _("Choose an answer.")})
    outcome = PartnerAnswerOutcome(outcome)
    note = _check_note(outcome, note)
    on = on or timezone.localdate()
    if isinstance(item, Referral):
        current: Referral | CaseAction = _answer_referral(
            item, by, outcome, note, on, expected_version
        )
    else:
        current = _answer_action(item, by, outcome, on, expected_version)
    assert by.organisation_id is not None
    answer = PartnerAnswer.objects.create(
        case_id=current.case_id,
        referral=current if isinstance(current, Referral) else None,
        action=current if isinstance(current, CaseAction) else None,
        organisation_id=by.organisation_id,
        outcome=outcome,
        answered_on=on,
        note=note,
        answered_by=by,
    )
    _notify_directors(answer)
    return answer
