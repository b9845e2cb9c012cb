"""Hit notices: the other side of a repeat or duplicate hit that the user may not see.

Hit/no-hit: repeat and duplicate detection run over every case, but the user who made a hit
is told only about cases they may see. When the hit lies in a case out of their sight, their
screen shows nothing, and the directors of that case get a notice instead: "a case at
organisation X concerns people in your case Y; contact them". Neither the other case's
reference nor any person is named. Each notice is in the audit trail.

When is a notice due? When something is actually written, never for typing: a person added
to a case or linked into it who is (by row, or by name and known date of birth) also in a
case out of the user's sight, or a change that makes two cases share a victim-perpetrator
pair (a repeat) while one of them is out of the acting user's sight. One notice per
recipient and pair of cases: the same hit made again sends nothing.
"""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from access import audit
from access.models import AuditAction
from access.policy import case_directors_condition, cases_out_of_sight, may_hold_case_access
from accounts.models import User
from notices.models import NoticeKind
from notices.services import notify

from ..models import Case, HitNotice, Registration

PURPOSE = "hit notice: people of this case are in a case elsewhere"


def _sides_to_tell(by: User, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(recipient case, other case) for each hit: the side out of the actor's sight hears of
    the other. When the actor may see both, they see the full hit themselves; when neither
    (a person they corrected is also in two cases elsewhere), both sides hear of each other."""
    hidden = cases_out_of_sight(by, {pk for pair in pairs for pk in pair})
    told = set()
    for a, b in pairs:
        if a in hidden:
            told.add((a, b))
        if b in hidden:
            told.add((b, a))
    return told


def notify_hits(*, by: User, pairs: Iterable[tuple[int, int]]) -> list[HitNotice]:
    """Send the notices due for these hits (pairs of case ids, in any order) made by ``by``.
    Call inside the transaction that made them. Returns the notices sent now."""
    wanted = {(a, b) for a, b in pairs if a != b}
    if not wanted:
        return []
    told = _sides_to_tell(by, wanted)
    if not told:
        return []
    cases = Case.objects.in_bulk({pk for pair in told for pk in pair})
    sent = []
    for case_id, other_id in sorted(told):
        case, other = cases[case_id], cases[other_id]
        sent += _tell_directors(
            by=by,
            case=case,
            about={"other_case": other},
            other_organisation_id=other.owner_organisation_id,
            purpose=PURPOSE,
            detail={"other_case": other.pk, "other_organisation": other.owner_organisation_id},
        )
    return sent


def _tell_directors(
    *,
    by: User,
    case: Case,
    about: dict[str, Any],
    other_organisation_id: int,
    purpose: str,
    detail: dict[str, Any],
) -> list[HitNotice]:
    """One hit notice for each director of ``case`` (not ``by``) who has none yet about the
    same thing (``about``: the other case, or the registration): audited, and shown in the
    recipient's notices with their own case's reference and a link, nothing about the other
    side. Returns the notices made now."""
    sent = []
    directors = User.objects.filter(case_directors_condition(case)).exclude(pk=by.pk)
    for recipient in directors.order_by("pk"):
        if not may_hold_case_access(recipient):
            continue
        notice, created = HitNotice.objects.get_or_create(
            recipient=recipient,
            case=case,
            **about,
            defaults={"other_organisation_id": other_organisation_id},
        )
        if not created:
            continue
        audit.record(
            user=by,
            action=AuditAction.NOTICE,
            obj=notice,
            purpose=purpose,
            detail={"recipient": recipient.pk, **detail},
        )
        notify(
            user=recipient,
            kind=NoticeKind.HIT,
            object_key=f"hit_notice:{notice.pk}",
            due_on=timezone.localdate(),
            url=reverse("cases:detail", kwargs={"pk": case.pk}) + "#hit-notices-heading",
            reference=case.reference,
        )
        sent.append(notice)
    return sent


REGISTRATION_PURPOSE = "hit notice: people of this case are in a registration"


def notify_registration_hits(
    *, by: User, registration: Registration, case_ids: Iterable[int]
) -> list[HitNotice]:
    """A registration by a partner holds people of these cases: each director of each case
    gets "a registration at organisation X (the receiving organisation) concerns people in
    your case Y; contact them". The registrant is told nothing; the triage table sees a hit
    in a case it may see as a link and only that there are others
    (``access.policy.registration_hits``). One notice per recipient, case and registration."""
    sent = []
    for case in Case.objects.filter(pk__in=list(case_ids)).order_by("pk"):
        sent += _tell_directors(
            by=by,
            case=case,
            about={"registration": registration},
            other_organisation_id=registration.owner_organisation_id,
            purpose=REGISTRATION_PURPOSE,
            detail={"registration": registration.pk},
        )
    return sent


def hit_notice_mark_read(*, notice: HitNotice, by: User) -> HitNotice:
    """The recipient has read the notice (the view fetched it through access.policy, which
    gives a notice to its recipient only). Reading it again changes nothing."""
    if notice.recipient_id != by.pk:
        raise PermissionError("A hit notice is read by its recipient only.")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        audit.record(user=by, action=AuditAction.CHANGE, obj=notice, purpose="hit notice read")
    return notice
