"""Break-glass: a case director opens time-boxed access to a case outside their scope.

It opens at once (a personal view grant that carries the record, counted by
``access.policy.break_glass_grant_condition`` only until ``ends_at``), tells the case's
directors and the auditor role by mail (no client data: the reference, who, until when, a
link), writes an audit row with the reason, and waits for a second person's review.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.policy import (
    Action,
    case_directors_condition,
    is_permitted,
    may_request_break_glass,
    may_review_break_glass,
)
from accounts.models import User
from accounts.roles import RoleCode
from notices.models import NoticeKind
from notices.services import notify

from ..models import (
    BreakGlassAccess,
    BreakGlassReview,
    BreakGlassVerdict,
    Case,
    CaseUserObjectPermission,
)

# A reason shorter than this says nothing a reviewer can weigh.
REASON_MIN_LENGTH = 20


def break_glass_hour_choices() -> list[int]:
    """The durations a director may choose, in hours: up to ``FJC_BREAK_GLASS_MAX_HOURS``."""
    return list(range(1, settings.FJC_BREAK_GLASS_MAX_HOURS + 1))


def _check_request(reason: str, hours: int) -> None:
    """The reason first: a request without one learns nothing about any reference."""
    errors: dict[str, list[str]] = {}
    if len(reason.strip()) < REASON_MIN_LENGTH:
        errors["reason"] = [
            _("Say why you need emergency access (at least %(count)s characters).")
            % {"count": REASON_MIN_LENGTH}
        ]
    if hours not in break_glass_hour_choices():
        errors["hours"] = [
            _("Choose a duration of 1 to %(hours)s hours.")
            % {"hours": settings.FJC_BREAK_GLASS_MAX_HOURS}
        ]
    if errors:
        raise ValidationError(errors)


def _view_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename="view_case")


@transaction.atomic
def break_glass_open(
    *,
    by: User,
    reference: str,
    reason: str,
    hours: int,
    link: Callable[[Case], str],
    now: datetime.datetime | None = None,
) -> BreakGlassAccess:
    """Open emergency access for ``by`` to the case with exactly ``reference``.

    ``link``: the absolute address of the case page, for the notices. Refused, with the same
    words whether the reference exists or not, for a case that is unknown; a case the
    director can already see needs no emergency access.
    """
    if not may_request_break_glass(by):
        raise ValidationError(_("Only a case director may open emergency access."))
    _check_request(reason, hours)
    case = Case.objects.filter(reference=reference.strip()).first()
    if case is None:
        raise ValidationError(
            {"reference": [_("No case with this reference can be opened this way.")]}
        )
    if is_permitted(by, case, Action.VIEW):
        raise ValidationError({"reference": [_("You already have access to this case.")]})
    moment = now or timezone.now()
    access = BreakGlassAccess.objects.create(
        case=case,
        requested_by=by,
        reason=reason.strip(),
        starts_at=moment,
        ends_at=moment + datetime.timedelta(hours=hours),
    )
    # A grant left by an earlier emergency access (ended, not yet tidied) becomes this one's.
    CaseUserObjectPermission.objects.update_or_create(
        user=by,
        permission=_view_permission(),
        content_object=case,
        defaults={"break_glass": access},
    )
    audit.record(
        user=by,
        action=AuditAction.BREAK_GLASS,
        obj=case,
        purpose=access.reason,
        detail={"break_glass": access.pk, "ends_at": access.ends_at.isoformat()},
    )
    address = link(case)
    transaction.on_commit(lambda: notify_break_glass(access_pk=access.pk, link=address))
    return access


def break_glass_recipients(case: Case) -> list[User]:
    """The case's director and co-directors, and every active auditor: active, with a mail
    address."""
    directors = User.objects.filter(case_directors_condition(case))
    auditors = User.objects.filter(roles__code=RoleCode.AUDITOR)
    return list(
        (directors | auditors).filter(is_active=True).exclude(email="").distinct().order_by("pk")
    )


def notify_break_glass(*, access_pk: int, link: str) -> int:
    """Mail the case's directors and the auditors that emergency access was opened; the
    number of mails sent. Nothing about the people in the case: the reference, who opened
    it, until when, and the link."""
    access = BreakGlassAccess.objects.select_related("case", "requested_by").get(pk=access_pk)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        until = formats.date_format(timezone.localtime(access.ends_at), "SHORT_DATETIME_FORMAT")
        values = {
            "reference": access.case.reference,
            "who": access.requested_by.get_full_name() or access.requested_by.get_username(),
            "until": until,
            "link": link,
        }
        subject = _("Emergency access to case %(reference)s") % values
        body = (
            _(
                "%(who)s opened emergency access to case %(reference)s, until %(until)s.\n\n"
                "The case page: %(link)s\n\n"
                "The access and its reason are on the list of emergency accesses to review."
            )
            % values
        )
        for recipient in break_glass_recipients(access.case):
            if recipient.pk == access.requested_by_id:
                continue
            # In the notice list too. This mail is the security alert itself and goes out
            # whatever the notice settings say, so the notice sends no second one.
            notify(
                user=recipient,
                kind=NoticeKind.BREAK_GLASS,
                object_key=f"break_glass:{access.pk}",
                due_on=timezone.localdate(access.starts_at),
                url=reverse("cases:break_glass_reviews"),
                reference=access.case.reference,
                email=False,
            )
            sent += send_mail(subject, body, None, [recipient.email])
    return sent


def _end(access: BreakGlassAccess, by: User | None, now: datetime.datetime) -> None:
    access.ended_at = min(now, access.ends_at)
    access.ended_by = by
    access.save(update_fields=["ended_at", "ended_by"])
    CaseUserObjectPermission.objects.filter(break_glass=access).delete()
    audit.record(
        user=by,
        action=AuditAction.BREAK_GLASS,
        obj=access.case,
        purpose="emergency access ended",
        detail={"break_glass": access.pk},
    )


@transaction.atomic
def break_glass_end(
    *, access: BreakGlassAccess, by: User, now: datetime.datetime | None = None
) -> BreakGlassAccess:
    """The requester ends their emergency access early."""
    locked = BreakGlassAccess.objects.select_for_update().select_related("case").get(pk=access.pk)
    if locked.requested_by_id != by.pk:
        raise ValidationError(_("Only who opened an emergency access may end it early."))
    if locked.ended_at is not None:
        raise ValidationError(_("This emergency access has already ended."))
    _end(locked, by, now or timezone.now())
    return locked


def end_expired_break_glass(*, now: datetime.datetime | None = None) -> int:
    """Record the end of every emergency access past its ``ends_at``; the number ended.

    ``access.policy`` stopped counting them at ``ends_at`` already; this fills in the end,
    removes the grant and writes the audit row. Idempotent.
    """
    moment = now or timezone.now()
    ended = 0
    expired = BreakGlassAccess.objects.filter(ended_at__isnull=True, ends_at__lte=moment)
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            access = (
                BreakGlassAccess.objects.select_for_update()
                .filter(pk=pk, ended_at__isnull=True)
                .select_related("case")
                .first()
            )
            if access is None:
                continue
            _end(access, None, moment)
            ended += 1
    return ended


@transaction.atomic
def break_glass_review(
    *, access: BreakGlassAccess, by: User, verdict: str, comment: str
) -> BreakGlassReview:
    """A second person's verdict on an emergency access: once, never by its requester."""
    locked = BreakGlassAccess.objects.select_for_update().select_related("case").get(pk=access.pk)
    if not may_review_break_glass(by, locked):
        raise ValidationError(_("You may not review this emergency access."))
    if BreakGlassReview.objects.filter(access=locked).exists():
        raise ValidationError(_("This emergency access has already been reviewed."))
    errors: dict[str, list[str]] = {}
    if verdict not in BreakGlassVerdict.values:
        errors["verdict"] = [_("Choose whether the emergency access was justified.")]
    if not comment.strip():
        errors["comment"] = [_("Explain your verdict.")]
    if errors:
        raise ValidationError(errors)
    review = BreakGlassReview.objects.create(
        access=locked, verdict=verdict, comment=comment.strip(), reviewed_by=by
    )
    audit.record(
        user=by,
        action=AuditAction.BREAK_GLASS_REVIEW,
        obj=locked.case,
        purpose=f"emergency access reviewed: {verdict}",
        detail={"break_glass": locked.pk, "verdict": verdict},
    )
    return review
