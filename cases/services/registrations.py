"""Registrations by partners and their triage (issue 19, parts 1 and 2).

* :func:`registration_create`: a partner registers a family with a Veilig Huis organisation:
  the people, what happened, urgency, risk indications, children, the ground, attachments
  (the document rules of case documents). Received; the hit check runs (hit/no-hit).
* :func:`screening_note_add`: the triage table's note; the first one puts it "in triage".
* :func:`registration_decide`: taken on in a track (it becomes a case with its people,
  through the case services, linked back), not taken on (a reason from the managed list), or
  the waiting list; taken at a triage-table consultation, the decision records it.
* :func:`registration_correct` and :func:`registration_withdraw`: the registrant's
  organisation corrects its registration (versioned, with history) or withdraws it with a
  reason, both only before a decision.

Access is the views' (``access.policy.restrict_registrations``); the services re-check the
actor's role, so a call from elsewhere cannot skip it. Every status is a dated record.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import (
    may_correct_registration,
    may_decide_registration,
    may_register,
    only_active_case_directors,
    organisations_receiving_registrations,
    restrict,
    triage_members,
)
from accounts.models import User
from common.dates import DateKind, date_problem
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from notices.models import NoticeKind
from notices.services import notify
from partners.models import Organisation

from ..models import (
    AgeBand,
    CaseParty,
    DocumentKind,
    LegalGround,
    NotTakenOnReason,
    Person,
    ReferrerKind,
    RegisteredRole,
    Registration,
    RegistrationAttachment,
    RegistrationGround,
    RegistrationHit,
    RegistrationPerson,
    RegistrationStatus,
    RegistrationStatusRecord,
    ScreeningNote,
    Track,
)
from ..models.registrations import CLOSED_STATUSES, CORRECTION_REASON, DECISIONS, RISK_FLAGS
from .core import case_create
from .documents import _checked, _checksum, _client_name, document_add
from .hits import notify_registration_hits
from .people import age_band_for, make_name_key, person_create_in_case, person_link_to_case

REFERENCE_PREFIX = "AM"


@dataclass(frozen=True)
class PersonData:
    role: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date | None = None
    age_band: str = AgeBand.UNKNOWN
    municipality: Any = None


def _next_reference(year: int) -> str:
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    number = Registration.objects.filter(reference__startswith=prefix).count() + 1
    while Registration.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


def _check_people(people: list[PersonData]) -> None:
    if not people:
        raise ValidationError({"people": _("Give at least one person.")})
    problems = []
    for number, person in enumerate(people, start=1):
        if person.role not in RegisteredRole.values:
            problems.append(_("Person %(n)s: choose a role.") % {"n": number})
        if not person.first_name.strip() or not person.last_name.strip():
            problems.append(_("Person %(n)s: give the first and last name.") % {"n": number})
        if person.date_of_birth is None and person.age_band in ("", AgeBand.UNKNOWN):
            problems.append(
                _("Person %(n)s: give the date of birth or an age band.") % {"n": number}
            )
        if problem := date_problem(person.date_of_birth, DateKind.BIRTH):
            problems.append(_("Person %(n)s: %(problem)s") % {"n": number, "problem": problem})
    if problems:
        raise ValidationError({"people": problems})


def _check_ground(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    ground = fields.get("ground")
    if ground == RegistrationGround.CONSENT:
        if not fields.get("consent_given_by", "").strip():
            errors["consent_given_by"] = _("Say who gave consent.")
        if fields.get("consent_given_on") is None:
            errors["consent_given_on"] = _("Give the date of the consent.")
        elif problem := date_problem(fields["consent_given_on"], DateKind.HAPPENED):
            errors["consent_given_on"] = problem
    elif ground == RegistrationGround.LEGAL:
        legal = fields.get("legal_ground", "")
        if legal not in LegalGround.values:
            errors["legal_ground"] = _("Choose the legal ground.")
        elif legal == LegalGround.POLICE_REPORT and not fields.get("pv_number", "").strip():
            errors["pv_number"] = _("Give the number of the police report (PV).")
        elif legal != LegalGround.POLICE_REPORT and not fields.get("ground_details", "").strip():
            errors["ground_details"] = _("Explain the legal ground.")
    else:
        errors["ground"] = _("Choose the ground on which you pass these data on.")
    if errors:
        raise ValidationError(errors)


def _check_fields(fields: dict[str, Any]) -> None:
    if not str(fields.get("description", "")).strip():
        raise ValidationError({"description": _("Describe briefly what happened.")})
    if problem := date_problem(fields.get("happened_on"), DateKind.HAPPENED):
        raise ValidationError({"happened_on": problem})
    _check_ground(fields)


def _save_person(person: RegistrationPerson, data: PersonData, by: User) -> RegistrationPerson:
    person.role = data.role
    person.first_name = " ".join(data.first_name.split())
    person.last_name = " ".join(data.last_name.split())
    person.date_of_birth = data.date_of_birth
    person.age_band = age_band_for(data.date_of_birth) if data.date_of_birth else data.age_band
    person.municipality = data.municipality
    person.name_key = make_name_key(first_name=person.first_name, last_name=person.last_name)
    attribute(person, by).save()
    return person


def _record_status(registration: Registration, by: User, status: str, **details: Any) -> Any:
    return RegistrationStatusRecord.objects.create(
        registration=registration, status=status, recorded_by=by, **details
    )


def current_status(registration: Registration) -> RegistrationStatusRecord | None:
    return registration.status_records.order_by("-recorded_at", "-id").first()


def _store_attachment(registration: Registration, by: User, upload: Any, kind: Any) -> Any:
    attachment = RegistrationAttachment(
        registration=registration,
        original_name=_client_name(upload, kind),
        content_type=kind.content_type,
        size=upload.size,
        sha256=_checksum(upload),
        uploaded_by=by,
    )
    attachment.file.save(f"attachment{kind.extensions[0]}", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def _find_hits(registration: Registration, people: list[RegistrationPerson]) -> list[int]:
    """The cases, system-wide, that hold one of these people (the same name and a known date
    of birth: the duplicate rule of the case services)."""
    condition = Q(pk__in=[])
    for person in people:
        if person.date_of_birth is not None:
            condition |= Q(
                person__name_key=person.name_key, person__date_of_birth=person.date_of_birth
            )
    case_ids = sorted(
        set(CaseParty.objects.filter(condition).order_by().values_list("case_id", flat=True))
    )
    RegistrationHit.objects.bulk_create(
        [RegistrationHit(registration=registration, case_id=pk) for pk in case_ids],
        ignore_conflicts=True,
    )
    return case_ids


@transaction.atomic
def registration_create(
    *,
    by: User,
    owner_organisation: Organisation,
    people: list[PersonData],
    attachments: list[Any] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Registration:
    """A partner's registration. Every rule is checked before anything is written: a refused
    attachment, a missing ground or person leaves no row and no file."""
    if not may_register(by):
        raise PermissionError("Only a partner's staff member registers.")
    if not organisations_receiving_registrations(
        Organisation.objects.filter(pk=owner_organisation.pk)
    ).exists():
        raise ValidationError({"owner_organisation": _("Choose a Veilig Huis organisation.")})
    _check_fields(fields)
    _check_people(people)
    kinds = [_checked(upload) for upload in attachments]
    now = timezone.now()
    registration = Registration(
        owner_organisation=owner_organisation,
        registrant_organisation=by.organisation,
        registered_by=by,
        registered_at=now,
        reference=_next_reference(timezone.localdate(now).year),
        **fields,
    )
    if registration.ground == RegistrationGround.CONSENT:
        registration.legal_ground, registration.pv_number = "", ""
    attribute(registration, by).save()
    rows = [
        _save_person(RegistrationPerson(registration=registration), data, by) for data in people
    ]
    for upload, kind in zip(attachments, kinds, strict=True):
        _store_attachment(registration, by, upload, kind)
    _record_status(registration, by, RegistrationStatus.RECEIVED)
    hits = _find_hits(registration, rows)
    notify_registration_hits(by=by, registration=registration, case_ids=hits)
    return registration


@transaction.atomic
def screening_note_add(*, registration: Registration, by: User, text: str) -> ScreeningNote:
    """A screening note of the triage table; a registration still "received" goes "in triage"."""
    if not may_decide_registration(by, registration):
        raise PermissionError("Only the triage table screens a registration.")
    if not text.strip():
        raise ValidationError({"text": _("Write the screening note.")})
    current = locked_for_update(registration, None)
    note = ScreeningNote(registration=current, author=by, text=text.strip())
    attribute(note, by).save()
    status = current_status(current)
    if status is not None and status.status == RegistrationStatus.RECEIVED:
        _record_status(current, by, RegistrationStatus.IN_TRIAGE)
    return note


def _check_decision(
    *,
    decision: str,
    track: int | None,
    lead_organisation: Organisation | None,
    case_director: User | None,
    reason: NotTakenOnReason | None,
    reason_text: str,
) -> None:
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose a decision.")
    elif decision == RegistrationStatus.TAKEN_ON:
        if track not in Track.values:
            errors["track"] = _("Choose the track.")
        if (
            lead_organisation is None
            or not organisations_receiving_registrations(
                Organisation.objects.filter(pk=lead_organisation.pk)
            ).exists()
        ):
            errors["lead_organisation"] = _("Choose the lead organisation.")
        elif (
            case_director is None
            or case_director.organisation_id != lead_organisation.pk
            or not only_active_case_directors(User.objects.filter(pk=case_director.pk)).exists()
        ):
            errors["case_director"] = _("Choose an active case director of the lead organisation.")
    elif decision == RegistrationStatus.NOT_TAKEN_ON:
        if reason is None or not NotTakenOnReason.objects.filter(pk=reason.pk, is_active=True):
            errors["reason"] = _("Choose the reason.")
        elif reason.needs_explanation and not reason_text.strip():
            errors["reason_text"] = _("Explain the reason.")
    if errors:
        raise ValidationError(errors)


def _check_still_open(registration: Registration) -> None:
    """Nothing changes after a decision (taken on or not) or a withdrawal."""
    status = current_status(registration)
    if status is not None and status.status == RegistrationStatus.WITHDRAWN:
        raise ValidationError(_("This registration has been withdrawn."))
    if status is not None and status.status in CLOSED_STATUSES:
        raise ValidationError(_("This registration has already been decided on."))


def _check_consultation(registration: Registration, consultation: Any) -> None:
    """A decision taken at a consultation: a triage table (not cancelled, begun) with this
    registration on its agenda. The consultation is ``consultations``' (a layer above): it is
    read through its properties and the registration's reverse relation, never imported."""
    if (
        not consultation.is_triage
        or consultation.is_cancelled
        or timezone.localdate(consultation.scheduled_at) > timezone.localdate()
        or not registration.triage_items.filter(consultation_id=consultation.pk).exists()  # type: ignore[attr-defined]
    ):
        raise ValidationError(
            {
                "consultation": _(
                    "Choose a triage table that has begun and has this registration on its agenda."
                )
            }
        )


@transaction.atomic
def registration_decide(
    *,
    registration: Registration,
    by: User,
    expected_version: int | None,
    decision: str,
    track: int | None = None,
    lead_organisation: Organisation | None = None,
    case_director: User | None = None,
    reason: NotTakenOnReason | None = None,
    reason_text: str = "",
    consultation: Any = None,
) -> RegistrationStatusRecord:
    """The triage table's decision, against the version the form was opened with: a second
    decision made at the same time meets :class:`common.versioning.EditConflict`. Taken at a
    triage-table consultation (``consultation``), the decision records it."""
    if not may_decide_registration(by, registration):
        raise PermissionError("Only the triage table decides on a registration.")
    current = locked_for_update(registration, expected_version)
    _check_still_open(current)
    _check_decision(
        decision=decision,
        track=track,
        lead_organisation=lead_organisation,
        case_director=case_director,
        reason=reason,
        reason_text=reason_text,
    )
    if consultation is not None:
        _check_consultation(current, consultation)
    details: dict[str, Any] = {"reason_text": reason_text.strip(), "consultation": consultation}
    if decision == RegistrationStatus.TAKEN_ON:
        assert lead_organisation is not None and case_director is not None and track is not None
        current.case = _take_on(current, by, track, lead_organisation, case_director)
        details.update(
            track=track, lead_organisation=lead_organisation, case_director=case_director
        )
    elif decision == RegistrationStatus.NOT_TAKEN_ON:
        details["reason"] = reason
    save_versioned(current, by)
    record = _record_status(current, by, decision, **details)
    registration.version = current.version
    registration.case = current.case
    return record


def _check_registrant(registration: Registration, by: User) -> None:
    if not may_correct_registration(by, registration):
        raise PermissionError("Only the registrant's organisation corrects or withdraws it.")


@transaction.atomic
def registration_correct(
    *,
    registration: Registration,
    by: User,
    expected_version: int | None,
    people: list[PersonData | None],
    **fields: Any,
) -> Registration:
    """The registrant's organisation corrects what it registered, while nothing has been
    decided (received, in triage or on the waiting list), against the version the form was
    opened with. ``people``: one entry per existing person in order (None: removed, a person
    registered by mistake), then new ones. The same rules as a new registration; a history
    row for the registration and each person changed. People with a new name or date of birth
    are checked against the cases again: the directors of a newly matched case are told, as
    for a new registration. The receiving organisation and the attachments stay."""
    _check_registrant(registration, by)
    current = locked_for_update(registration, expected_version)
    _check_still_open(current)
    editable = {"description", "happened_on", "municipality", "urgency", "children_present"}
    editable |= set(RISK_FLAGS) | set(GROUND_FIELDS)
    unknown = set(fields) - editable
    if unknown:
        raise TypeError(f"Not correctable: {sorted(unknown)}")
    _check_fields(fields)
    _check_people([p for p in people if p is not None])
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    if current.ground == RegistrationGround.CONSENT:
        current.legal_ground, current.pv_number = "", ""
    else:
        current.consent_given_by, current.consent_given_on = "", None
    current._change_reason = CORRECTION_REASON  # type: ignore[attr-defined]
    save_versioned(current, by)
    existing = list(current.people.order_by("id"))
    rows = []
    for number, data in enumerate(people):
        person = existing[number] if number < len(existing) else None
        if data is None:
            if person is not None:
                attribute(person, by).delete()
            continue
        rows.append(_save_person(person or RegistrationPerson(registration=current), data, by))
    known = set(current.hits.values_list("case_id", flat=True))
    new_hits = [pk for pk in _find_hits(current, rows) if pk not in known]
    notify_registration_hits(by=by, registration=current, case_ids=new_hits)
    registration.version = current.version
    return current


# The fields of the ground a correction may change (with the rules of a new registration).
GROUND_FIELDS = (
    "ground",
    "consent_given_by",
    "consent_given_on",
    "legal_ground",
    "pv_number",
    "ground_details",
)


@transaction.atomic
def registration_withdraw(
    *, registration: Registration, by: User, expected_version: int | None, reason: str
) -> RegistrationStatusRecord:
    """The registrant's organisation withdraws its registration before a decision, with a
    reason: status "withdrawn", nothing is decided any more. The triage table is told."""
    _check_registrant(registration, by)
    current = locked_for_update(registration, expected_version)
    _check_still_open(current)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you withdraw the registration.")})
    save_versioned(current, by)
    record = _record_status(current, by, RegistrationStatus.WITHDRAWN, reason_text=reason.strip())
    registration.version = current.version
    notify_withdrawal(registration=current, by=by)
    return record


def notify_withdrawal(*, registration: Registration, by: User) -> None:
    """The triage table of the receiving organisation hears of the withdrawal (the
    registration's reference only; the page tells the rest to whoever may read it)."""
    url = reverse("registrations:detail", kwargs={"registration_pk": registration.pk})
    for user in triage_members(User.objects.all(), registration.owner_organisation_id):
        notify(
            user=user,
            kind=NoticeKind.REGISTRATION_WITHDRAWN,
            object_key=f"registration:{registration.pk}",
            due_on=timezone.localdate(),
            url=url,
            reference=registration.reference,
        )


def _known_person(person: RegistrationPerson, by: User) -> Person | None:
    """The one person ``by`` may see with this name and (known) date of birth, or None."""
    if person.date_of_birth is None:
        return None
    matches = list(
        restrict(
            Person.objects.filter(name_key=person.name_key, date_of_birth=person.date_of_birth),
            by,
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _take_on(
    registration: Registration,
    by: User,
    track: int,
    lead_organisation: Organisation,
    case_director: User,
) -> Any:
    """The registration becomes a case with its people: the case services, no retyping."""
    opened_on = timezone.localdate()
    case = case_create(
        by=by,
        owner_organisation=lead_organisation,
        case_director=case_director,
        track=track,
        opened_on=opened_on,
        referrer_kind=ReferrerKind.PARTNER,
        referrer_organisation=registration.registrant_organisation,
        referrer_contact=registration.registered_by.get_full_name(),
        municipality=registration.municipality,
        description=registration.description,
        urgency=registration.urgency,
    )
    for person in registration.people.order_by("id"):
        position, roles = person.party_fields
        known = _known_person(person, by)
        if known is not None:
            # The same name and date of birth as a person the decider may already see: the
            # same person joins the case (who they are comes along; their situation does not).
            person_link_to_case(
                case=case,
                by=by,
                person=known,
                involved_since=opened_on,
                position=position,
                roles=roles,
            )
            continue
        person_create_in_case(
            case=case,
            by=by,
            position=position,
            roles=roles,
            confirm_new=True,
            involved_since=opened_on,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            # A known date of birth decides the age band on the day the case opens.
            age_band=AgeBand.UNKNOWN if person.date_of_birth else person.age_band,
        )
    for attachment in registration.attachments.order_by("id"):
        # The registrant's attachments become the case's documents, for the case team only
        # (a police report names people); the same checks of the file run again.
        with attachment.file.open("rb") as stored:
            document_add(
                case=case,
                by=by,
                title=attachment.original_name,
                kind=DocumentKind.OTHER,
                confidential=True,
                upload=File(stored, name=attachment.original_name),
            )
    return case
