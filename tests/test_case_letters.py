"""Letters from templates (issue 17, part 8, first letter): rendered to PDF in Dutch and stored
as a confidential case document."""

import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from cases.models import DocumentKind
from cases.services.letters import letter_create

from .conftest import CHILDREN

pytestmark = pytest.mark.django_db


def test_the_information_letter_is_a_dutch_pdf_stored_as_a_confidential_document(world):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    document = letter_create(
        case=case, by=case.case_director, letter="information", addressee=party
    )
    assert document.kind == DocumentKind.LETTER and document.confidential
    version = document.versions.get()
    assert version.content_type == "application/pdf"
    assert version.original_name == "informatiebrief-gegevensverwerking.pdf"
    with version.file.open("rb") as stored:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)
    text = " ".join(text.split())
    assert "Informatie over de verwerking van uw persoonsgegevens" in text
    assert case.reference in text
    assert party.person.last_name in text
    assert "Gegevensbeschermingsautoriteit" in text


def test_a_letter_only_goes_to_a_person_in_the_case(world):
    case, other = world.cases["city_a"], world.cases["city_b"]
    stranger = CHILDREN["party_pk"](world, other)
    with pytest.raises(ValidationError):
        letter_create(case=case, by=case.case_director, letter="information", addressee=stranger)
    with pytest.raises(ValidationError):
        letter_create(
            case=case,
            by=case.case_director,
            letter="unknown",
            addressee=world.children["city_a"]["party_pk"],
        )
