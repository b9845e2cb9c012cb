"""Registering and steering a case: tracks, status, directors, sharing."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access.policy import Action, is_active_case_director
from accounts.models import User
from common.dates import DateKind, check_date
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Municipality, Organisation

from ..models import (
    Case,
    CaseShare,
    ClosingReason,
    CoDirector,
    EventKind,
    FormOfViolence,
    ReferenceCounter,
    ReferrerKind,
    RelationshipContext,
    Status,
    StatusChange,
    Track,
    TrackChange,
    Urgency,
    format_reference,
)
from .classification import classification_follows_the_opening, classification_record
from .events import record_event
from .people import involvements_follow_the_opening, refresh_repeats
from .shares import ShareTerms, check_hand_over, move_ownership, share_create, share_stop
from .sharing import grant_case_to_organisation, grant_case_to_user, revoke_case_from_user

BOTH = (Action.VIEW, Action.CHANGE)


def _next_reference(year: int) -> str:
    """Take the year's next number under a row lock (callers hold a transaction)."""
    # Make sure the year's row exists without racing another registration creating it.
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    number = counter.last + 1
    # A reference made outside this service (an import, a benchmark) is skipped, not reused.
    while Case.objects.filter(reference=format_reference(year, number)).exists():
        number += 1
    counter.last = number
    counter.save(update_fields=["last"])
    return format_reference(year, number)


@transaction.atomic
def case_create(
    *,
    by: User,
    owner_organisation: Organisation,
    case_director: User,
    track: Track | int = Track.ADVICE,
    opened_on: datetime.date | None = None,
    referrer_kind: ReferrerKind | str = ReferrerKind.PARTNER,
    referrer_organisation: Organisation | None = None,
    referrer_contact: str = "",
    municipality: Municipality | None = None,
    relationship_contexts: Iterable[RelationshipContext] = (),
    forms_of_violence: Iterable[FormOfViolence] = (),
    description: str = "",
    urgency: Urgency | str = Urgency.NORMAL,
    is_anonymous_consult: bool = False,
    consult_question: str = "",
    advice_given: str = "",
    referral_made: str = "",
) -> Case:
    opened_on = opened_on or timezone.localdate()
    check_date(opened_on, DateKind.HAPPENED, field="opened_on")
    if is_anonymous_consult and track != Track.ADVICE:
        raise ValidationError(_("An anonymous consult is always track 1."))
    case = Case(
        owner_organisation=owner_organisation,
        case_director=case_director,
        track=track,
        status=Status.REGISTERED,
        opened_on=opened_on,
        referrer_kind=referrer_kind,
        referrer_organisation=referrer_organisation,
        referrer_contact=referrer_contact,
        municipality=municipality,
        description=description,
        urgency=urgency,
        is_anonymous_consult=is_anonymous_consult,
        consult_question=consult_question,
        advice_given=advice_given,
        referral_made=referral_made,
    )
    attribute(case, by)
    case.reference = _next_reference(opened_on.year)
    case.save()
    # The registration's values are recorded from the case's opening.
    for name, chosen in (
        ("relationship_contexts", relationship_contexts),
        ("forms_of_violence", forms_of_violence),
    ):
        classification_record(case=case, by=by, field=name, chosen=chosen, on=opened_on)
    grant_case_to_organisation(
        case=case, organisation=owner_organisation, actions=BOTH, by=by, reason="owner"
    )
    grant_case_to_user(case=case, user=case_director, actions=BOTH, by=by, reason="case director")
    record_event(case=case, kind=EventKind.REGISTERED, actor=by, summary=str(Track(track).label))
    return case


@transaction.atomic
def case_update(*, case: Case, by: User, expected_version: int, **changes: Any) -> Case:
    """Change registration fields unless the case changed since ``expected_version`` was read."""
    relations = {
        name: changes.pop(name, None) for name in ("relationship_contexts", "forms_of_violence")
    }
    current = locked_for_update(case, expected_version)
    opened_on = current.opened_on
    if changes.get("opened_on", opened_on) != opened_on:
        # Only a changed date: a case registered before the rule keeps its own.
        check_date(changes["opened_on"], DateKind.HAPPENED, field="opened_on")
    for field, value in changes.items():
        setattr(current, field, value)
    save_versioned(current, by)
    if current.opened_on != opened_on:
        classification_follows_the_opening(case=current, previous_opening=opened_on)
    for name, chosen in relations.items():
        if chosen is not None:
            # Never in place: a changed value ends its period today, a new one starts.
            classification_record(case=current, by=by, field=name, chosen=chosen)
    if current.opened_on > opened_on:
        involvements_follow_the_opening(case=current, by=by)
    if current.opened_on != opened_on:
        # The opening date decides which cases with the same pair are repeats of which.
        refresh_repeats(case=current, by=by)
    return current


def _validate_change_date(day: datetime.date, case: Case) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if day < case.opened_on:
        raise ValidationError(_("The date cannot be before the case was registered."))


@transaction.atomic
def case_change_track(
    *,
    case: Case,
    by: User,
    to_track: Track | int,
    changed_on: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    current = locked_for_update(case, expected_version)
    if current.is_closed:
        raise ValidationError(_("A closed case must be reopened before its track changes."))
    if int(to_track) == current.track:
        raise ValidationError(_("The case is already in this track."))
    if current.is_anonymous_consult:
        raise ValidationError(_("An anonymous consult stays in track 1."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the move."))
    _validate_change_date(changed_on, current)
    _validate_track_date(changed_on, current)
    TrackChange.objects.create(
        case=current,
        from_track=current.track,
        to_track=to_track,
        changed_on=changed_on,
        reason=reason,
        decided_by=by,
    )
    summary = f"{current.track} → {int(to_track)}"
    current.track = int(to_track)
    save_versioned(current, by)
    record_event(case=current, kind=EventKind.TRACK_CHANGED, actor=by, summary=summary)
    return current


# The usual path; a case may also step back (e.g. from follow-up to active).
OPEN_STATUSES = (Status.REGISTERED, Status.INTAKE, Status.ACTIVE, Status.FOLLOW_UP)


@transaction.atomic
def case_change_status(
    *,
    case: Case,
    by: User,
    to_status: Status | str,
    changed_on: datetime.date,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    if to_status == Status.CLOSED:
        raise ValidationError(_("Use 'close the case' to close it, with a closing reason."))
    current = locked_for_update(case, expected_version)
    if current.is_closed:
        raise ValidationError(_("A closed case must be reopened first."))
    if to_status == current.status:
        raise ValidationError(_("The case already has this status."))
    _validate_change_date(changed_on, current)
    return _set_status(current, by, Status(to_status), changed_on, reason, EventKind.STATUS_CHANGED)


def _not_before_latest(day: datetime.date, latest: datetime.date | None, message: str) -> None:
    if latest is not None and day < latest:
        raise ValidationError(message % {"date": formats.date_format(latest, "SHORT_DATE_FORMAT")})


def _validate_status_date(day: datetime.date, case: Case) -> None:
    """A status change is dated on or after the case's last one.

    The status on a day is read from the changes in date order (the figures of a past
    period depend on it), so a change dated before the last one would make the records say
    something else than the case's status now.
    """
    latest = case.status_changes.order_by("-changed_on", "-id").values_list("changed_on", flat=True)
    _not_before_latest(
        day, latest.first(), _("The date cannot be before the last status change (%(date)s).")
    )


def _validate_track_date(day: datetime.date, case: Case) -> None:
    """A move is dated on or after the case's last move, for the same reason as a status
    change: the track on a day is read from the moves in date order."""
    latest = case.track_changes.order_by("-changed_on", "-id").values_list("changed_on", flat=True)
    _not_before_latest(
        day, latest.first(), _("The date cannot be before the last change of track (%(date)s).")
    )


def _set_status(
    case: Case,
    by: User,
    to_status: Status,
    day: datetime.date,
    reason: str,
    kind: EventKind,
    closing_reason: ClosingReason | None = None,
) -> Case:
    _validate_status_date(day, case)
    StatusChange.objects.create(
        case=case,
        from_status=case.status,
        to_status=to_status,
        changed_on=day,
        reason=reason,
        closing_reason=closing_reason,
        changed_by=by,
    )
    summary = f"{Status(case.status).label} → {to_status.label}"
    case.status = to_status
    save_versioned(case, by)
    record_event(case=case, kind=kind, actor=by, summary=summary)
    return case


@transaction.atomic
def case_close(
    *,
    case: Case,
    by: User,
    closing_reason: ClosingReason | None,
    closed_on: datetime.date,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    current = locked_for_update(case, expected_version)
    if current.is_closed:
        raise ValidationError(_("The case is already closed."))
    if closing_reason is None or not closing_reason.is_active:
        raise ValidationError(_("Choose a closing reason."))
    _validate_change_date(closed_on, current)
    # The case row keeps the current closing; the status change keeps it for good.
    current.closing_reason = closing_reason
    current.closed_on = closed_on
    _set_status(
        current,
        by,
        Status.CLOSED,
        closed_on,
        note or str(closing_reason),
        EventKind.CLOSED,
        closing_reason=closing_reason,
    )
    return current


@transaction.atomic
def case_reopen(
    *,
    case: Case,
    by: User,
    reason: str,
    reopened_on: datetime.date,
    expected_version: int | None = None,
) -> Case:
    current = locked_for_update(case, expected_version)
    if not current.is_closed:
        raise ValidationError(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening."))
    if current.closed_on and reopened_on < current.closed_on:
        raise ValidationError(_("A case cannot be reopened before it was closed."))
    _validate_change_date(reopened_on, current)
    # Only the current value is cleared: the closing stays on its status change.
    current.closing_reason = None
    current.closed_on = None
    return _set_status(current, by, Status.ACTIVE, reopened_on, reason, EventKind.REOPENED)


@transaction.atomic
def case_change_director(
    *,
    case: Case,
    by: User,
    new_director: User,
    expected_version: int | None = None,
    reason: str = "",
    keep_share: ShareTerms | None = None,
) -> Case:
    """Hand the case over to another case director.

    To a director of another organisation the file moves with them: the owning organisation
    changes (with ``reason``, a dated ``OwnershipChange``, an event and an audit row) and the
    former owner's access ends, unless ``keep_share`` keeps a share for it on a ground.
    Within the organisation only the director changes.
    """
    current = locked_for_update(case, expected_version)
    if not is_active_case_director(new_director):
        raise ValidationError(_("The new case director must be an active case director."))
    if new_director.pk == current.case_director_id:
        raise ValidationError(_("This person already directs the case."))
    moves = new_director.organisation_id != current.owner_organisation_id
    if moves:
        check_hand_over(
            case=current, new_director=new_director, reason=reason, keep_share=keep_share
        )
    old = current.case_director
    old_organisation = current.owner_organisation
    current.case_director = new_director
    if moves:
        assert new_director.organisation is not None  # check_hand_over made sure
        current.owner_organisation = new_director.organisation
    save_versioned(current, by)
    grant_case_to_user(case=current, user=new_director, actions=BOTH, by=by, reason="case director")
    CoDirector.objects.filter(case=current, user=new_director).delete()
    revoke_case_from_user(case=current, user=old, by=by, reason="no longer case director")
    record_event(
        case=current, kind=EventKind.DIRECTOR_CHANGED, actor=by, summary=f"{old} → {new_director}"
    )
    if moves:
        move_ownership(
            case=current,
            by=by,
            from_organisation=old_organisation,
            to_organisation=current.owner_organisation,
            reason=reason,
            keep_share=keep_share,
        )
    return current


@transaction.atomic
def case_add_co_director(*, case: Case, by: User, user: User) -> CoDirector:
    """A co-director, possibly of another organisation, gets access to the case."""
    if not is_active_case_director(user):
        raise ValidationError(_("A co-director must be an active case director."))
    if user.pk == case.case_director_id or CoDirector.objects.filter(case=case, user=user).exists():
        raise ValidationError(_("This person already directs the case."))
    co = CoDirector(case=case, user=user)
    attribute(co, by)
    co.save()
    grant_case_to_user(case=case, user=user, actions=BOTH, by=by, reason="co-director")
    org = f" ({user.organisation})" if user.organisation_id else ""
    record_event(case=case, kind=EventKind.CO_DIRECTOR_ADDED, actor=by, summary=f"{user}{org}")
    return co


@transaction.atomic
def case_remove_co_director(*, case: Case, by: User, co_director: CoDirector) -> None:
    """Removing a co-director takes their access away at once."""
    user = co_director.user
    attribute(co_director, by)
    co_director.delete()
    revoke_case_from_user(case=case, user=user, by=by, reason="co-director removed")
    record_event(case=case, kind=EventKind.CO_DIRECTOR_REMOVED, actor=by, summary=str(user))


def case_share(*, case: Case, by: User, organisation: Organisation, terms: ShareTerms) -> CaseShare:
    """Share the case with another organisation on a ground, for a scope, until an end date
    (``cases.services.shares.share_create``)."""
    return share_create(case=case, by=by, organisation=organisation, terms=terms)


def case_unshare(*, case: Case, by: User, organisation: Organisation) -> CaseShare:
    """Stop sharing with ``organisation`` at once (``cases.services.shares.share_stop``)."""
    if organisation.pk == case.owner_organisation_id:
        raise ValidationError(_("The owning organisation keeps its access."))
    return share_stop(case=case, by=by, organisation=organisation)
