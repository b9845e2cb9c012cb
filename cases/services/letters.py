"""Letters from templates, rendered to PDF in Dutch and stored as documents of the case.

A letter is addressed to a person in the case, so it holds their name: it is stored as a
confidential document (the case team's only, access.policy). The PDF goes through the same
document service as an upload (allow-list, size, versions, removal), so a letter is a case
document like any other. First letter: the information letter on the processing of personal
data; the invitation, referral and closing letters follow the same shape.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.pdf import render_pdf

from ..models import Case, CaseDocument, CaseParty, DocumentKind
from .documents import document_add


@dataclass(frozen=True)
class Letter:
    title: Any
    template: str
    filename: str


LETTERS = {
    "information": Letter(
        title=gettext_lazy("Information on the processing of your personal data"),
        template="cases/letters/information.html",
        filename="informatiebrief-gegevensverwerking.pdf",
    ),
}


def letter_create(*, case: Case, by: User, letter: str, addressee: CaseParty) -> CaseDocument:
    """Render ``letter`` for ``addressee`` (a person in ``case``) and store it on the case."""
    template = LETTERS.get(letter)
    if template is None:
        raise ValidationError({"letter": _("Choose a letter.")})
    if addressee.case_id != case.pk:
        raise ValidationError({"addressee": _("This person is not in this case.")})
    person = addressee.person
    with translation.override("nl"):
        html = render_to_string(
            template.template,
            {
                "case": case,
                "addressee": f"{person.first_name} {person.last_name}".strip(),
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
