"""Writing the case journal and the actions (afspraken).

The journal is a record: entries are never deleted, and only their author may correct the
text, on the day they wrote it (simple-history keeps the earlier text). Rules broken raise
``ValidationError`` keyed by the field at fault, so a form can show each error in place.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import may_correct_entry
from accounts.models import User
from common.dates import DateKind, date_problem
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import Case, CaseAction, Channel, EntryKind, JournalEntry, Visibility
from ..selectors.journal import action_assignee_candidates


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def _journal_errors(
    *,
    case: Case,
    kind: str,
    occurred_at: datetime.datetime,
    channel: str,
    reached: bool | None,
    text: str,
    visibility: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if kind not in EntryKind.values:
        add("kind", _("Choose what kind of entry this is."))
    if visibility not in Visibility.values:
        add("visibility", _("Choose who may read this entry."))
    if channel and channel not in Channel.values:
        add("channel", _("Choose a channel from the list."))
    if occurred_at > timezone.now():
        add("occurred_at", _("The moment cannot be in the future."))
    elif timezone.localdate(occurred_at) < case.opened_on:
        add("occurred_at", _("The moment cannot be before the case was registered."))
    if kind == EntryKind.NOTE:
        if channel:
            add("channel", _("A note has no channel."))
        if not text.strip():
            add("text", _("Write the note."))
    if kind == EntryKind.CONTACT_ATTEMPT:
        if not channel:
            add("channel", _("Say how you tried to make contact."))
        if reached is None:
            add("reached", _("Say whether the person was reached."))
    elif reached is not None:
        add("reached", _("Only a contact attempt records whether the person was reached."))
    return errors


@transaction.atomic
def journal_entry_add(
    *,
    case: Case,
    by: User,
    kind: EntryKind | str,
    occurred_at: datetime.datetime | None = None,
    channel: Channel | str = "",
    reached: bool | None = None,
    text: str = "",
    visibility: Visibility | str = Visibility.TEAM,
) -> JournalEntry:
    """Log a contact, note, home visit, phone call or contact attempt in the case journal."""
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    _raise_if(
        _journal_errors(
            case=case,
            kind=str(kind),
            occurred_at=occurred_at,
            channel=str(channel or ""),
            reached=reached,
            text=text,
            visibility=str(visibility),
        )
    )
    entry = JournalEntry(
        case=case,
        kind=kind,
        occurred_at=occurred_at,
        channel=channel or "",
        reached=reached,
        text=text,
        visibility=visibility,
        author=by,
    )
    attribute(entry, by)
    entry.save()
    return entry


@transaction.atomic
def journal_entry_correct(*, entry: JournalEntry, by: User, text: str) -> JournalEntry:
    """The author corrects the text of their entry on the day they wrote it.

    Nothing else changes: when, what kind and who may read it stay as recorded.
    """
    current = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if not may_correct_entry(by, current):
        raise ValidationError(
            _("Only the author can correct an entry, and only on the day it was written.")
        )
    if current.kind == EntryKind.NOTE and not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    if text == current.text:
        raise ValidationError({"text": [_("The text is unchanged.")]})
    current.text = text
    attribute(current, by)
    current.save(update_fields=["text"])
    return current


def _action_errors(
    *,
    case: Case,
    description: str,
    assignee_user: User | None,
    assignee_organisation: Organisation | None,
    due_on: datetime.date | None,
    done_on: datetime.date | None = None,
    current: CaseAction | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not description.strip():
        add("description", _("Say what has to be done."))
    if (assignee_user is None) == (assignee_organisation is None):
        add(NON_FIELD_ERRORS, _("Choose either a staff member or a partner organisation."))
    # An assignee kept from before may stay even if they no longer qualify (e.g. a former
    # co-director); a new one must qualify now.
    new_user = assignee_user is not None and (
        current is None or current.assignee_user_id != assignee_user.pk
    )
    if (
        new_user
        and assignee_user is not None
        and not action_assignee_candidates(case=case).filter(pk=assignee_user.pk).exists()
    ):
        add(
            "assignee_user",
            _("Choose the case director, a co-director or a case director of the organisation."),
        )
    new_organisation = assignee_organisation is not None and (
        current is None or current.assignee_organisation_id != assignee_organisation.pk
    )
    if (
        new_organisation
        and assignee_organisation
        and not Organisation.objects.filter(pk=assignee_organisation.pk, is_active=True).exists()
    ):
        add("assignee_organisation", _("This organisation is no longer active."))
    if due_on is None:
        add("due_on", _("Say by when it has to be done."))
    elif due_on < case.opened_on:
        add("due_on", _("The date cannot be before the case was registered."))
    elif problem := date_problem(due_on, DateKind.PLANNED):
        add("due_on", problem)
    if done_on is not None:
        if done_on > timezone.localdate():
            add("done_on", _("The date cannot be in the future."))
        elif done_on < case.opened_on:
            add("done_on", _("The date cannot be before the case was registered."))
    return errors


@transaction.atomic
def case_action_add(
    *,
    case: Case,
    by: User,
    description: str,
    due_on: datetime.date,
    assignee_user: User | None = None,
    assignee_organisation: Organisation | None = None,
) -> CaseAction:
    """Agree an action: what, who (a staff member or a partner organisation), by when."""
    _raise_if(
        _action_errors(
            case=case,
            description=description,
            assignee_user=assignee_user,
            assignee_organisation=assignee_organisation,
            due_on=due_on,
        )
    )
    action = CaseAction(
        case=case,
        description=description.strip(),
        assignee_user=assignee_user,
        assignee_organisation=assignee_organisation,
        due_on=due_on,
        created_by=by,
    )
    attribute(action, by)
    action.save()
    if action.assignee_organisation_id is not None:
        from .inbox import notify_inbox_arrival

        notify_inbox_arrival(action)
    return action


@transaction.atomic
def case_action_update(
    *,
    action: CaseAction,
    by: User,
    expected_version: int,
    description: str,
    due_on: datetime.date,
    assignee_user: User | None = None,
    assignee_organisation: Organisation | None = None,
    done_on: datetime.date | None = None,
) -> CaseAction:
    """Change an action unless someone saved it since ``expected_version`` was read."""
    current = locked_for_update(action, expected_version)
    _raise_if(
        _action_errors(
            case=current.case,
            description=description,
            assignee_user=assignee_user,
            assignee_organisation=assignee_organisation,
            due_on=due_on,
            done_on=done_on,
            current=current,
        )
    )
    current.description = description.strip()
    current.assignee_user = assignee_user
    current.assignee_organisation = assignee_organisation
    current.due_on = due_on
    moved_to = (
        assignee_organisation
        if assignee_organisation is not None
        and current.assignee_organisation_id != assignee_organisation.pk
        else None
    )
    current.done_on = done_on
    save_versioned(current, by)
    if moved_to is not None:
        from .inbox import notify_inbox_arrival

        notify_inbox_arrival(current)
    return current


@transaction.atomic
def case_action_mark_done(
    *, action: CaseAction, by: User, expected_version: int | None = None
) -> CaseAction:
    """Done today. The version moves on, so a form opened before this gets a conflict."""
    current = locked_for_update(action, expected_version)
    if current.done_on is not None:
        raise ValidationError(_("This action is already done."))
    current.done_on = timezone.localdate()
    save_versioned(current, by)
    return current


@transaction.atomic
def case_action_undo_done(
    *, action: CaseAction, by: User, expected_version: int | None = None
) -> CaseAction:
    """Open a done action again (marked done by mistake, or not finished after all)."""
    current = locked_for_update(action, expected_version)
    if current.done_on is None:
        raise ValidationError(_("This action is still open."))
    current.done_on = None
    save_versioned(current, by)
    return current
