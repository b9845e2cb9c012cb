"""Letters from templates, rendered to PDF in Dutch and stored as documents of the case.

Four letters: an invitation (to an intake, a conversation or the art. 458ter consultation),
the information letter on the processing of personal data, a referral letter to the partner
organisation of an outgoing referral, and a closing letter once the case is closed. Each is a
Dutch template (templates/cases/letters/) with the small print stylesheet
static/css/letter-print.css, sent by the case's organisation and its case director, with the
case's reference.

A letter names a person (the addressee) or, for a referral letter, carries the referral's
reason and what was agreed to pass on: it is stored as a confidential document (the case
team's only, access.policy). The addressee's name is inside the PDF only: the file name and
the title are the letter's own, never a name. The PDF goes through the same document service
as an upload (allow-list, size, versions, removal), so a letter is a case document like any
other and is downloaded through the audited download.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.pdf import render_pdf

from ..models import Case, CaseDocument, CaseParty, DocumentKind, Referral, ReferralDirection
from .documents import document_add


@dataclass(frozen=True)
class Letter:
    title: Any
    template: str
    filename: str
    description: Any
    # Addressed to a person in the case (else to the partner organisation of a referral).
    to_person: bool = True


LETTERS: dict[str, Letter] = {
    "invitation": Letter(
        title=gettext_lazy("Invitation"),
        template="cases/letters/invitation.html",
        filename="uitnodiging.pdf",
        description=gettext_lazy(
            "To a person in the case: for an intake, a conversation or the consultation."
        ),
    ),
    "information": Letter(
        title=gettext_lazy("Information on the processing of your personal data"),
        template="cases/letters/information.html",
        filename="informatiebrief-gegevensverwerking.pdf",
        description=gettext_lazy("To a person in the case: how their data are processed."),
    ),
    "referral": Letter(
        title=gettext_lazy("Referral letter"),
        template="cases/letters/referral.html",
        filename="doorverwijzingsbrief.pdf",
        description=gettext_lazy(
            "To the partner organisation of a referral: its reason and the agreed information."
        ),
        to_person=False,
    ),
    "closing": Letter(
        title=gettext_lazy("Closing letter"),
        template="cases/letters/closing.html",
        filename="afsluitbrief.pdf",
        description=gettext_lazy(
            "To a person in the case, once it is closed: where to go for help later."
        ),
    ),
}


class Meeting(models.TextChoices):
    """What an invitation is for."""

    INTAKE = "intake", gettext_lazy("An intake conversation")
    CONVERSATION = "conversation", gettext_lazy("A conversation")
    CONSULTATION = "consultation", gettext_lazy("The consultation under article 458ter")


# The phrase in the letter: "We invite you to ...".
_MEETING_PHRASES = {
    Meeting.INTAKE: gettext_lazy("an intake conversation"),
    Meeting.CONVERSATION: gettext_lazy("a conversation"),
    Meeting.CONSULTATION: gettext_lazy(
        "the case consultation under article 458ter of the Criminal Code"
    ),
}


def _name(party: CaseParty) -> str:
    person = party.person
    return f"{person.first_name} {person.last_name}".strip()


def _checked_addressee(case: Case, addressee: CaseParty | None) -> CaseParty:
    if addressee is None:
        raise ValidationError({"addressee": _("Choose the addressee.")})
    if addressee.case_id != case.pk:
        raise ValidationError({"addressee": _("This person is not in this case.")})
    return addressee


def _invitation(case: Case, fields: Mapping[str, Any]) -> dict[str, Any]:
    meeting = fields.get("meeting")
    if meeting not in _MEETING_PHRASES:
        raise ValidationError({"meeting": _("Choose what the invitation is for.")})
    day, time, place = fields.get("day"), fields.get("time"), (fields.get("place") or "").strip()
    errors: dict[str, str] = {}
    if not isinstance(day, datetime.date):
        errors["day"] = _("Give the date of the meeting.")
    elif day < timezone.localdate():
        errors["day"] = _("An invitation is for today or a day to come.")
    if not isinstance(time, datetime.time):
        errors["time"] = _("Give the time of the meeting.")
    if not place:
        errors["place"] = _("Give the place of the meeting.")
    if errors:
        raise ValidationError(errors)
    return {
        "meeting": _MEETING_PHRASES[meeting],
        "is_consultation": meeting == Meeting.CONSULTATION,
        "day": day,
        "time": time,
        "place": place,
    }


def _closing(case: Case, fields: Mapping[str, Any]) -> dict[str, Any]:
    if not case.is_closed or case.closed_on is None:
        raise ValidationError(
            _("A closing letter can only be made once the case is closed. Close the case first.")
        )
    return {
        "closed_on": case.closed_on,
        "closing_reason": case.closing_reason,
        "further_help": (fields.get("further_help") or "").strip(),
    }


def _referral(case: Case, referral: Referral | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    if referral is None:
        raise ValidationError({"referral": _("Choose the referral.")})
    if referral.case_id != case.pk:
        raise ValidationError({"referral": _("This referral belongs to another case.")})
    if referral.direction != ReferralDirection.OUTGOING:
        raise ValidationError(
            {"referral": _("A referral letter goes with a referral to a partner organisation.")}
        )
    # The information agreed for the partner when the referral was made, unless written here.
    agreed = (fields.get("agreed_information") or "").strip() or referral.partner_information
    if not agreed:
        raise ValidationError(
            {"agreed_information": _("Write down what was agreed to pass on to the partner.")}
        )
    # What the partner may know: the referral's reason and the agreed information, not the file.
    return {"referral": referral, "reason": referral.reason, "agreed_information": agreed}


def letter_create(
    *,
    case: Case,
    by: User,
    letter: str,
    addressee: CaseParty | None = None,
    referral: Referral | None = None,
    fields: Mapping[str, Any] | None = None,
) -> CaseDocument:
    """Render ``letter`` and store it on ``case`` as a confidential letter document.

    ``addressee``: the person in ``case`` the letter goes to (every letter but the referral
    letter); ``referral``: an outgoing referral of ``case`` (the referral letter, addressed to
    its partner organisation); ``fields``: the letter's own (invitation: ``meeting``, ``day``,
    ``time``, ``place``; referral letter: ``agreed_information``; closing letter:
    ``further_help``). A broken rule raises ``ValidationError``; nothing is stored.
    """
    template = LETTERS.get(letter)
    if template is None:
        raise ValidationError({"letter": _("Choose a letter.")})
    fields = fields or {}
    context: dict[str, Any] = {}
    if template.to_person:
        party = _checked_addressee(case, addressee)
        context["addressee"] = _name(party)
    if letter == "invitation":
        context.update(_invitation(case, fields))
    elif letter == "closing":
        context.update(_closing(case, fields))
    elif letter == "referral":
        context.update(_referral(case, referral, fields))
        context["addressee"] = str(context["referral"].partner)
    with translation.override("nl"):
        html = render_to_string(
            template.template,
            {
                **context,
                "title": template.title,
                "case": case,
                "organisation": case.owner_organisation,
                "director": case.case_director,
                "today": timezone.localdate(),
            },
        )
        title = str(template.title)
    return document_add(
        case=case,
        by=by,
        title=title,
        kind=DocumentKind.LETTER,
        confidential=True,
        upload=SimpleUploadedFile(template.filename, render_pdf(html)),
    )
