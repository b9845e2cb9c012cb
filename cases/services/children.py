"""Writes for the children's trajectory: a child file per child in a case (versioned) and the
conversations with the child. A child is a person whose family position is child, or a minor
by the derived age (:func:`is_child`)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.dates import DateKind, check_dates
from common.history import attribute
from common.versioning import STALE_EDIT, EditConflict, locked_for_update, save_versioned

from ..models import AgeBand, Case, CaseParty, ChildConversation, ChildFile, FamilyPosition
from .people import age_on

MINOR_BANDS = frozenset({AgeBand.UNDER_6, AgeBand.AGE_6_11, AgeBand.AGE_12_17})


def is_child(party: CaseParty, today: datetime.date | None = None) -> bool:
    """Whether ``party`` is a child of the case: family position child, or a minor by the age
    derived from the date of birth (else the age band)."""
    if party.position == FamilyPosition.CHILD:
        return True
    person = party.person
    if person.date_of_birth is not None:
        return age_on(person.date_of_birth, today or timezone.localdate()) < 18
    return person.age_band in MINOR_BANDS


@dataclass(frozen=True)
class ChildFileContent:
    """What a version of a child file says (empty values: not known or not relevant)."""

    school_name: str = ""
    school_contacted_on: datetime.date | None = None
    school_note: str = ""
    psychologist_involved: bool = False
    psychologist_organisation: Any = None
    psychologist_since: datetime.date | None = None
    reported: bool = False
    reported_to: str = ""
    reported_on: datetime.date | None = None
    report_reference: str = ""
    plan_goals: str = ""
    plan_organisation: Any = None
    plan_next_evaluation_on: datetime.date | None = None


def _check(content: ChildFileContent, *, case: Case) -> None:
    check_dates(
        {
            "school_contacted_on": (content.school_contacted_on, DateKind.HAPPENED),
            "psychologist_since": (content.psychologist_since, DateKind.HAPPENED),
            "reported_on": (content.reported_on, DateKind.HAPPENED),
            "plan_next_evaluation_on": (content.plan_next_evaluation_on, DateKind.PLANNED),
        }
    )
    problems: dict[str, str] = {}
    if content.reported:
        if not content.reported_to:
            problems["reported_to"] = _("Choose to which service the child was reported.")
        if content.reported_on is None:
            problems["reported_on"] = _("Give the day the child was reported.")
    elif content.reported_to or content.reported_on or content.report_reference.strip():
        problems["reported"] = _(
            "Tick 'reported' when the child was reported to the VK, OCJ or youth court."
        )
    if content.psychologist_involved and content.psychologist_organisation is None:
        problems["psychologist_organisation"] = _(
            "Choose the organisation of the child psychologist."
        )
    if not content.psychologist_involved and (
        content.psychologist_organisation is not None or content.psychologist_since
    ):
        problems["psychologist_involved"] = _(
            "Tick 'child psychologist involved' when you give the organisation or the date."
        )
    if content.school_contacted_on is not None and not content.school_name.strip():
        problems["school_name"] = _("Give the name of the school or childcare.")
    has_plan_detail = content.plan_organisation is not None or content.plan_next_evaluation_on
    if has_plan_detail and not content.plan_goals.strip():
        problems["plan_goals"] = _("Write the goals of the child plan.")
    if problems:
        raise ValidationError(problems)


def _check_child(case: Case, party: CaseParty) -> None:
    if party.case_id != case.pk:
        raise ValidationError(_("This person is not in this case."))
    if not is_child(party):
        raise ValidationError(_("A child file is kept for a child in the case."))


def _new_file(case: Case, party: CaseParty, by: User) -> ChildFile:
    child_file = ChildFile(case=case, party=party)
    save_versioned(child_file, by, bump=False)
    return child_file


@transaction.atomic
def child_file_save(
    *,
    case: Case,
    party: CaseParty,
    by: User,
    expected_version: int | None,
    content: ChildFileContent,
) -> ChildFile:
    """A new version of the child's file (the first one when there is none yet:
    ``expected_version`` 0). A form opened before someone else's save is refused."""
    case = locked_for_update(case, None)
    _check_child(case, party)
    _check(content, case=case)
    existing = ChildFile.objects.filter(party=party).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise EditConflict(str(STALE_EDIT))
        child_file = ChildFile(case=case, party=party)
        bump = False
    else:
        child_file = locked_for_update(existing, expected_version)
        bump = True
    for name in ChildFileContent.__dataclass_fields__:
        value = getattr(content, name)
        setattr(child_file, name, value.strip() if isinstance(value, str) else value)
    save_versioned(child_file, by, bump=bump)
    return child_file


@transaction.atomic
def child_conversation_add(
    *,
    case: Case,
    party: CaseParty,
    by: User,
    held_on: datetime.date,
    held_by: User,
    child_view: str,
) -> ChildConversation:
    """A conversation with the child (the child's file is started when there is none)."""
    case = locked_for_update(case, None)
    _check_child(case, party)
    check_dates({"held_on": (held_on, DateKind.HAPPENED)})
    if held_on < case.opened_on:
        raise ValidationError(
            {"held_on": _("A conversation cannot be held before the case was registered.")}
        )
    if not child_view.strip():
        raise ValidationError({"child_view": _("Write what the child says and wants.")})
    child_file = ChildFile.objects.filter(party=party).first() or _new_file(case, party, by)
    conversation = ChildConversation(
        case=case,
        child_file=child_file,
        held_on=held_on,
        held_by=held_by,
        child_view=child_view.strip(),
    )
    attribute(conversation, by).save()
    return conversation
