"""Reads for the children's trajectory. Every one starts from ``access.policy.restrict``; what
a child said in a conversation is a confidential field (``access.policy``), hidden here for a
reader outside the case team, never in a template."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access.parts import CasePart
from access.policy import HIDDEN, CaseAccess, restrict, shown_value
from accounts.models import User

from ..models import Case, CaseParty, ChildConversation, ChildFile
from ..services.children import is_child
from ..services.people import age_on
from .scoped import case_rows


def exposure_labels(party: CaseParty) -> list[str]:
    """The child's exposure, read from the roles in the violence (never stored twice)."""
    labels = []
    if party.is_victim:
        labels.append(_("direct victim"))
    if party.is_witness:
        labels.append(_("witness"))
    if party.is_perpetrator:
        labels.append(_("perpetrator"))
    return labels


def age_text(party: CaseParty, today: datetime.date) -> str:
    """The derived age ("7 jaar"), else the age band, else unknown."""
    person = party.person
    if person.date_of_birth is not None:
        return _("%(age)d years") % {"age": age_on(person.date_of_birth, today)}
    return str(person.get_age_band_display())


@dataclass(frozen=True)
class ShownConversation:
    held_on: datetime.date
    held_by: Any
    child_view: str
    hidden: bool


def shown_conversation(conversation: ChildConversation, *, may_see: bool) -> ShownConversation:
    """A conversation with what the child said as ``access.policy`` lets this reader see it
    (the child's page and the print view alike)."""
    value = shown_value(conversation, "child_view", may_see=may_see)
    return ShownConversation(
        held_on=conversation.held_on,
        held_by=conversation.held_by,
        child_view="" if value is HIDDEN else value,
        hidden=value is HIDDEN,
    )


@dataclass
class ChildDetail:
    party: CaseParty
    child_file: ChildFile | None
    exposure: list[str]
    age: str
    conversations: list[ShownConversation] = field(default_factory=list)
    versions: list[Any] = field(default_factory=list)


def child_party(*, user: User, case: Case, party_pk: Any) -> CaseParty | None:
    """The child ``party_pk`` of the case as ``user`` may see it; ``None`` otherwise (no such
    person, not a child, out of scope)."""
    party = (
        restrict(CaseParty.objects.filter(case=case, pk=party_pk), user)
        .select_related("person")
        .first()
    )
    return party if party is not None and is_child(party) else None


def child_detail(*, user: User, case: Case, party: CaseParty, may_see: bool) -> ChildDetail:
    """The child's file, its versions (newest first) and the conversations, as this reader
    may see them."""
    today = timezone.localdate()
    child_file = (
        restrict(ChildFile.objects.filter(party=party), user, part=CasePart.FILE)
        .select_related("psychologist_organisation", "plan_organisation")
        .first()
    )
    detail = ChildDetail(
        party=party,
        child_file=child_file,
        exposure=exposure_labels(party),
        age=age_text(party, today),
    )
    if child_file is None:
        return detail
    detail.conversations = [
        shown_conversation(conversation, may_see=may_see)
        for conversation in restrict(
            ChildConversation.objects.filter(child_file=child_file), user, part=CasePart.FILE
        ).select_related("held_by")
    ]
    detail.versions = list(
        ChildFile.history.filter(id=child_file.pk)
        .exclude(history_type="-")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return detail


@dataclass
class ChildLine:
    """A child of the case on the steering page, at a glance."""

    party: CaseParty
    age: str
    exposure: str
    child_file: ChildFile | None
    last_conversation_on: datetime.date | None


def child_lines(
    *,
    user: User,
    case: Case,
    parties: list[CaseParty],
    today: datetime.date,
    access: CaseAccess | None = None,
    read: bool = True,
) -> list[ChildLine]:
    """Per child of ``parties`` (already read for the page): age, exposure, last
    conversation (the date only), plan, VK/OCJ report and psychologist. One query (with the
    file's organisations, so that the print view prints the whole file from these rows);
    none when ``read`` is False (the caller knows the case has no child file at all:
    ``cases.selectors.steering.has_rows``)."""
    children = [party for party in parties if is_child(party, today)]
    if not children:
        return []
    files = (
        {
            child_file.party_id: child_file
            for child_file in case_rows(
                ChildFile.objects.filter(case=case), user, access, part=CasePart.FILE
            )
            .select_related("psychologist_organisation", "plan_organisation")
            .annotate(last_conversation_on=Max("conversations__held_on"))
        }
        if read
        else {}
    )
    lines = []
    for party in children:
        child_file = files.get(party.pk)
        lines.append(
            ChildLine(
                party=party,
                age=age_text(party, today),
                exposure=", ".join(exposure_labels(party)) or _("no role in the violence recorded"),
                child_file=child_file,
                last_conversation_on=getattr(child_file, "last_conversation_on", None),
            )
        )
    return lines
