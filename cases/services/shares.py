"""Sharing a case with another organisation, and handing the file over to one.

A share is a disclosure record (``CaseShare``): a ground from a fixed list with its
particulars, a scope and an end date, no later than ``FJC_SHARE_MAX_DAYS`` from today. Its
group grant carries it, so ``access.policy`` stops counting the grant the day after the end
date whatever else happens; ending a share (revoked, replaced, expired, the organisation
took the case over) also removes the grant and writes an audit row. Sharing again with an
organisation that has an open share replaces it: that is how a share is extended, and how a
share made before grounds were recorded gets its ground confirmed.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.parts import ShareScope
from access.policy import Action, may_receive_case_access
from accounts.models import User
from common.dates import DateKind, date_problem
from partners.models import Organisation

from ..models import (
    Case,
    CaseGroupObjectPermission,
    CaseShare,
    EventKind,
    OwnershipChange,
    ShareEndReason,
    ShareGround,
)
from .events import record_event
from .sharing import grant_case_to_organisation, revoke_case_from_organisation

# The particulars each ground needs, and which field of the form holds each.
GROUND_FIELDS: dict[str, tuple[str, ...]] = {
    ShareGround.CONSENT: ("consent_given_by", "consent_given_on", "consent_purpose"),
    ShareGround.CONSULTATION_458TER: ("consultation_reference",),
    ShareGround.NECESSITY: ("necessity_reason",),
    ShareGround.LEGAL_DUTY: ("legal_duty",),
}
ALL_GROUND_FIELDS = tuple(name for names in GROUND_FIELDS.values() for name in names)


@dataclass(frozen=True)
class ShareTerms:
    """What a share is made of, as the case team fills it in."""

    ground: str = ""
    scope: str = ""
    ends_on: datetime.date | None = None
    consent_given_by: str = ""
    consent_given_on: datetime.date | None = None
    consent_purpose: str = ""
    consultation_reference: str = ""
    necessity_reason: str = ""
    legal_duty: str = ""


def default_share_end(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(
        days=settings.FJC_SHARE_DEFAULT_DAYS
    )


def _short(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def ground_errors(
    ground: str, particulars: object, *, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """What is missing from a ground for sharing and its particulars (attributes of
    ``particulars``, named as in ``GROUND_FIELDS``): a share's terms, or a referral's."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    messages = {
        "consent_given_by": _("Say who gave the consent."),
        "consent_given_on": _("Say when the consent was given."),
        "consent_purpose": _("Say what the consent was given for."),
        "consultation_reference": _("Give the reference of the art. 458ter consultation."),
        "necessity_reason": _("Say why there is a state of necessity."),
        "legal_duty": _("Say which legal duty requires sharing."),
    }
    if ground not in GROUND_FIELDS:
        # The legacy ground is never chosen: it only marks shares made before grounds were.
        errors["ground"] = [_("Choose the ground for sharing.")]
    else:
        for name in GROUND_FIELDS[ground]:
            value = getattr(particulars, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[name] = [messages[name]]
        consent_given_on = getattr(particulars, "consent_given_on", None)
        if consent_given_on is not None and consent_given_on > today:
            errors["consent_given_on"] = [_("The consent cannot be given in the future.")]
        elif problem := date_problem(consent_given_on, DateKind.HAPPENED):
            errors["consent_given_on"] = [problem]
    return errors


def check_share_terms(terms: ShareTerms, *, today: datetime.date | None = None) -> None:
    """Refuse terms without a ground (with its particulars), a scope or an end date."""
    today = today or timezone.localdate()
    errors = ground_errors(terms.ground, terms, today=today)
    if terms.scope not in ShareScope.values:
        errors["scope"] = [_("Choose what is shared.")]
    latest = today + datetime.timedelta(days=settings.FJC_SHARE_MAX_DAYS)
    if terms.ends_on is None:
        errors["ends_on"] = [_("Give the date on which sharing ends.")]
    elif terms.ends_on < today:
        errors["ends_on"] = [_("The end date cannot be in the past.")]
    elif terms.ends_on > latest:
        errors["ends_on"] = [
            _("Sharing ends on %(date)s at the latest (%(days)s days from today).")
            % {"date": _short(latest), "days": settings.FJC_SHARE_MAX_DAYS}
        ]
    if errors:
        raise ValidationError(errors)


def _check_recipient(case: Case, organisation: Organisation) -> None:
    if organisation.pk == case.owner_organisation_id:
        raise ValidationError({"organisation": [_("The owning organisation already has access.")]})
    if not may_receive_case_access(organisation):
        raise ValidationError(
            {
                "organisation": [
                    _("This organisation has no case workers: a case cannot be shared with it.")
                ]
            }
        )


def _view_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename="view_case")


def end_share(
    *,
    share: CaseShare,
    by: User | None,
    reason: ShareEndReason,
    now: datetime.datetime | None = None,
) -> CaseShare:
    """End a share at once: the record says when, by whom and why; its grant goes."""
    share.ended_at = now or timezone.now()
    share.ended_by = by
    share.end_reason = reason
    share.save(update_fields=["ended_at", "ended_by", "end_reason"])
    CaseGroupObjectPermission.objects.filter(share=share).delete()
    audit.record(
        user=by,
        action=AuditAction.REVOKE,
        obj=share.case,
        purpose="case share ended",
        detail={"share": share.pk, "organisation": share.organisation_id, "reason": reason},
    )
    kind = EventKind.SHARE_EXPIRED if reason == ShareEndReason.EXPIRED else EventKind.UNSHARED
    record_event(case=share.case, kind=kind, actor=by, summary=share.organisation.name)
    return share


@transaction.atomic
def share_create(
    *, case: Case, by: User, organisation: Organisation, terms: ShareTerms
) -> CaseShare:
    """Share ``case`` with ``organisation`` on a ground, for a scope, until an end date.

    An open share with the same organisation is replaced (ended, then a new record): the
    way to extend a share or to confirm the ground of one made before grounds were recorded.
    """
    today = timezone.localdate()
    _check_recipient(case, organisation)
    check_share_terms(terms, today=today)
    assert terms.ends_on is not None  # checked
    # One share per organisation at a time: serialise sharing of this case.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    for open_share in CaseShare.objects.filter(
        case=case, organisation=organisation, ended_at__isnull=True
    ).select_related("case", "organisation"):
        end_share(share=open_share, by=by, reason=ShareEndReason.REPLACED)
    # Only the particulars of the chosen ground are kept.
    particulars = {name: getattr(terms, name) for name in GROUND_FIELDS[terms.ground]}
    share = CaseShare.objects.create(
        case=case,
        organisation=organisation,
        ground=terms.ground,
        scope=terms.scope,
        starts_on=today,
        ends_on=terms.ends_on,
        shared_by=by,
        **particulars,
    )
    # The grant carries its share; a grant made before shares were recorded becomes this one's.
    CaseGroupObjectPermission.objects.update_or_create(
        group=organisation.group,
        permission=_view_permission(),
        content_object=case,
        defaults={"share": share},
    )
    audit.record(
        user=by,
        action=AuditAction.GRANT,
        obj=case,
        purpose="case shared",
        detail={
            "share": share.pk,
            "organisation": organisation.pk,
            "ground": share.ground,
            "scope": share.scope,
            "ends_on": share.ends_on.isoformat(),
            "actions": [str(Action.VIEW)],
        },
    )
    record_event(
        case=case,
        kind=EventKind.SHARED,
        actor=by,
        summary=_("%(organisation)s, until %(date)s")
        % {"organisation": organisation.name, "date": _short(share.ends_on)},
    )
    return share


@transaction.atomic
def share_stop(*, case: Case, by: User, organisation: Organisation) -> CaseShare:
    """The case team stops sharing with ``organisation``: its access ends on the next request."""
    share = (
        CaseShare.objects.select_for_update()
        .filter(case=case, organisation=organisation, ended_at__isnull=True)
        .select_related("case", "organisation")
        .first()
    )
    if share is None:
        raise ValidationError(_("This case is not shared with this organisation."))
    return end_share(share=share, by=by, reason=ShareEndReason.REVOKED)


def end_expired_shares(*, today: datetime.date | None = None) -> int:
    """End every open share whose end date has passed; the number ended.

    ``access.policy`` already stopped counting their grants; this ends the record, removes
    the grant and writes the audit row. Idempotent: ended shares are left alone.
    """
    today = today or timezone.localdate()
    ended = 0
    expired = CaseShare.objects.filter(ended_at__isnull=True, ends_on__lt=today)
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            share = (
                CaseShare.objects.select_for_update()
                .filter(pk=pk, ended_at__isnull=True)
                .select_related("case", "organisation")
                .first()
            )
            if share is None:
                continue  # ended meanwhile
            end_share(share=share, by=None, reason=ShareEndReason.EXPIRED)
            ended += 1
    return ended


def check_hand_over(
    *, case: Case, new_director: User, reason: str, keep_share: ShareTerms | None
) -> None:
    """What a hand-over to another organisation needs, checked before anything changes."""
    errors: dict[str, list[str]] = {}
    organisation = new_director.organisation
    if organisation is None or not may_receive_case_access(organisation):
        errors["new_director"] = [_("The new case director's organisation cannot hold cases.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for handing the case over to another organisation.")]
    if keep_share is not None:
        try:
            check_share_terms(keep_share)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        old = case.owner_organisation
        if not may_receive_case_access(old):
            errors.setdefault("keep_share", []).append(
                _("This organisation has no case workers: a case cannot be shared with it.")
            )
    if errors:
        raise ValidationError(errors)


def move_ownership(
    *,
    case: Case,
    by: User,
    from_organisation: Organisation,
    to_organisation: Organisation,
    reason: str,
    keep_share: ShareTerms | None,
) -> OwnershipChange:
    """The file moves to ``to_organisation`` (``case.owner_organisation`` is already set).

    The new owner's open share ends (it now holds the file); the former owner's access ends,
    unless the case team keeps a share for it on a ground. Called inside the hand-over's
    transaction by ``case_change_director``.
    """
    for share in CaseShare.objects.filter(
        case=case, organisation=to_organisation, ended_at__isnull=True
    ).select_related("case", "organisation"):
        end_share(share=share, by=by, reason=ShareEndReason.BECAME_OWNER)
    revoke_case_from_organisation(
        case=case, organisation=from_organisation, by=by, reason="ownership moved"
    )
    grant_case_to_organisation(
        case=case,
        organisation=to_organisation,
        actions=(Action.VIEW, Action.CHANGE),
        by=by,
        reason="owner",
    )
    change = OwnershipChange.objects.create(
        case=case,
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        reason=reason.strip(),
        changed_by=by,
    )
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=case,
        purpose="case handed over to another organisation",
        detail={
            "ownership_change": change.pk,
            "from": from_organisation.pk,
            "to": to_organisation.pk,
        },
    )
    record_event(
        case=case,
        kind=EventKind.OWNER_CHANGED,
        actor=by,
        summary=f"{from_organisation.name} → {to_organisation.name}",
    )
    if keep_share is not None:
        share_create(case=case, by=by, organisation=from_organisation, terms=keep_share)
    return change
