"""Writes for organisations and places."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access.policy import may_set_judicial_organisation_kind
from accounts.models import User
from common.dates import MAX_COUNT, DateKind, check_date, check_dates, check_number
from common.history import save_validated
from common.uploads import check_upload, is_new_upload
from common.versioning import check_version, locked_for_update

from .models import (
    JUDICIAL_INFORMATION_KINDS,
    Agreement,
    ContactPerson,
    Gap,
    GapFollowUp,
    GapStatus,
    GapStatusChange,
    Municipality,
    Organisation,
    OrganisationKind,
    PoliceZone,
    Training,
)


def _group_name(name: str) -> str:
    return f"org:{name}"[:150]


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: OrganisationKind | str,
    municipality: Municipality | None = None,
    police_zone: PoliceZone | None = None,
) -> Organisation:
    group = Group.objects.create(name=_group_name(name))
    return Organisation.objects.create(
        name=name, kind=kind, municipality=municipality, police_zone=police_zone, group=group
    )


@transaction.atomic
def organisation_get_or_create(
    *,
    name: str,
    kind: OrganisationKind | str,
    municipality: Municipality | None = None,
    police_zone: PoliceZone | None = None,
) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return organisation_create(
        name=name, kind=kind, municipality=municipality, police_zone=police_zone
    )


# --- the partner directory, trainings and gaps (kept by the network coordinator) ---


@transaction.atomic
def organisation_directory_create(
    *,
    by: User,
    name: str,
    kind: OrganisationKind | str,
    sector: str = "",
    is_core_partner: bool = False,
    municipalities_served: Iterable[Municipality] = (),
) -> Organisation:
    if kind in JUDICIAL_INFORMATION_KINDS and not may_set_judicial_organisation_kind(by):
        raise ValidationError(
            {
                "kind": _(
                    "Only an administrator adds a prosecutor's office or a police zone: that "
                    "kind opens judicial information to its staff."
                )
            }
        )
    if Organisation.objects.filter(name=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    organisation = organisation_create(name=name, kind=kind)
    organisation.sector = sector
    organisation.is_core_partner = is_core_partner
    save_validated(organisation, by)
    organisation.municipalities_served.set(municipalities_served)
    return organisation


@transaction.atomic
def organisation_directory_update(
    *,
    organisation: Organisation,
    by: User,
    sector: str,
    is_core_partner: bool,
    municipalities_served: Iterable[Municipality],
    expected_version: int,
) -> Organisation:
    organisation = locked_for_update(organisation, expected_version)
    organisation.version += 1
    organisation.sector = sector
    organisation.is_core_partner = is_core_partner
    save_validated(organisation, by)
    organisation.municipalities_served.set(municipalities_served)
    return organisation


@transaction.atomic
def contact_save(
    *, contact: ContactPerson, by: User, expected_version: int | None = None
) -> ContactPerson:
    check_version(contact, expected_version)
    save_validated(contact, by)
    return contact


@transaction.atomic
def agreement_save(
    *, agreement: Agreement, by: User, expected_version: int | None = None
) -> Agreement:
    check_version(agreement, expected_version)
    check_dates(
        {
            "signed_on": (agreement.signed_on, DateKind.HAPPENED),
            "valid_until": (agreement.valid_until, DateKind.VALIDITY),
        }
    )
    if agreement.valid_until and agreement.valid_until < agreement.signed_on:
        raise ValidationError({"valid_until": _("An agreement cannot end before it was signed.")})
    if is_new_upload(agreement.document):
        # The kind from the file's bytes, a size limit (common.uploads).
        check_upload(agreement.document, field="document")
    save_validated(agreement, by)
    return agreement


@transaction.atomic
def training_save(
    *,
    training: Training,
    by: User,
    organisations: Iterable[Organisation],
    expected_version: int | None = None,
) -> Training:
    check_version(training, expected_version)
    # A training may be planned; the number of participants is a count of people.
    check_date(training.date, DateKind.PLANNED, field="date")
    check_number(training.participants, field="participants", maximum=MAX_COUNT)
    save_validated(training, by)
    training.organisations.set(organisations)
    return training


def _last_status_change_on(gap: Gap) -> datetime.date | None:
    return (
        gap.status_changes.order_by("-changed_on", "-id")
        .values_list("changed_on", flat=True)
        .first()
    )


@transaction.atomic
def gap_set_status(
    *, gap: Gap, by: User, status: str, changed_on: datetime.date | None = None
) -> Gap:
    """Change the gap's status on ``changed_on`` (default today), as a dated record.

    The figures count gaps by their status on the last day of a period, so the change is
    recorded (``GapStatusChange``) rather than only written over ``Gap.status``. Setting the
    status it already has records nothing.
    """
    gap = Gap.objects.select_for_update().get(pk=gap.pk)
    changed_on = changed_on or timezone.localdate()
    if status == gap.status:
        return gap
    if changed_on > timezone.localdate():
        raise ValidationError({"status": _("The date cannot be in the future.")})
    if changed_on < gap.signalled_on:
        raise ValidationError({"status": _("The date cannot be before the gap was signalled.")})
    latest = _last_status_change_on(gap)
    if latest is not None and changed_on < latest:
        raise ValidationError(
            {
                "status": _("The date cannot be before the last status change (%(date)s).")
                % {"date": formats.date_format(latest, "SHORT_DATE_FORMAT")}
            }
        )
    GapStatusChange.objects.create(
        gap=gap, from_status=gap.status, to_status=status, changed_on=changed_on, changed_by=by
    )
    gap.status = status
    save_validated(gap, by)
    return gap


@transaction.atomic
def gap_add_follow_up(
    *,
    gap: Gap,
    by: User,
    date: datetime.date,
    action: str,
    organisation: Organisation | None = None,
) -> GapFollowUp:
    # A follow-up may be planned ahead (the gap's status change is dated today at the latest).
    check_date(date, DateKind.PLANNED, field="date")
    follow_up = GapFollowUp(gap=gap, date=date, action=action, organisation=organisation, by=by)
    save_validated(follow_up, by)
    if gap.status == GapStatus.NEW:
        # In follow-up from the follow-up's date, kept within what a status change allows
        # (a follow-up noted with an earlier date than the gap's last change still counts).
        day = min(max(date, gap.signalled_on), timezone.localdate())
        latest = _last_status_change_on(gap)
        gap_set_status(
            gap=gap,
            by=by,
            status=GapStatus.FOLLOW_UP,
            changed_on=max(day, latest) if latest else day,
        )
    return follow_up
