"""Letters from templates (issue 17, part 8): the invitation, the information letter, the
referral letter and the closing letter, rendered to PDF in Dutch and stored as confidential
case documents; the page "Brief opmaken" of a case's documents, its refusals and its token."""

import datetime
import logging
import re
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseDocument, ClosingReason, DocumentKind, ReferralDirection
from cases.services import case_close, referral_create
from cases.services.letters import LETTERS, letter_create
from common.submission import FIELD

from .clock import TODAY
from .conftest import CHILDREN

pytestmark = pytest.mark.django_db

TOMORROW = TODAY + datetime.timedelta(days=1)
# English a Dutch letter must not hold: template leftovers and English dates.
ENGLISH = re.compile(
    r"\b(Dear|Our reference|Kind regards|Invitation|Referral|Closing|Reason|Date|Time|Place|"
    r"case director|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|"
    r"February|March|April|June|July|August|September|October|November|December|None)\b"
)


def pdf_text(document: CaseDocument) -> str:
    """The text of the document's latest version, as pdftotext reads it (words joined)."""
    version = document.versions.order_by("-number").first()
    assert version is not None and version.content_type == "application/pdf"
    with version.file.open("rb") as stored:
        data = stored.read()
    assert data.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def letters(case):
    """The letters made from templates (the world's own document is left out)."""
    names = [letter.filename for letter in LETTERS.values()]
    return CaseDocument.objects.filter(
        case=case, kind=DocumentKind.LETTER, versions__original_name__in=names
    ).distinct()


def url(case, letter: str | None = None) -> str:
    base = reverse("cases:letter_create", kwargs={"pk": case.pk})
    return f"{base}?letter={letter}" if letter else base


def documents_url(case) -> str:
    return reverse("cases:documents", kwargs={"pk": case.pk})


def closed(case):
    return case_close(
        case=case,
        by=case.case_director,
        closing_reason=ClosingReason.objects.get(name_en="Goals achieved"),
        closed_on=timezone.localdate(),
    )


def invitation_fields(meeting: str = "intake") -> dict:
    return {
        "meeting": meeting,
        "day": TOMORROW,
        "time": datetime.time(14, 30),
        "place": "Veilig Huis, Kerkstraat 1, Gent",
    }


def assert_dutch_letter(text: str, case, *phrases: str) -> None:
    assert case.reference in text
    assert "Onze referentie" in text and "Met vriendelijke groeten" in text
    assert str(case.case_director) in text and str(case.owner_organisation) in text
    for phrase in phrases:
        assert phrase in text, phrase
    assert not ENGLISH.findall(text), ENGLISH.findall(text)


# --- each letter renders a Dutch PDF stored as a confidential letter ---


def assert_stored(document: CaseDocument, filename: str) -> None:
    assert document.kind == DocumentKind.LETTER and document.confidential
    version = document.versions.get()
    assert version.original_name == filename
    assert document.title == str(LETTERS[filename_letter(filename)].title)


def filename_letter(filename: str) -> str:
    return next(code for code, letter in LETTERS.items() if letter.filename == filename)


def test_the_information_letter_is_a_dutch_pdf_stored_as_a_confidential_document(world):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    document = letter_create(
        case=case, by=case.case_director, letter="information", addressee=party
    )
    assert_stored(document, "informatiebrief-gegevensverwerking.pdf")
    text = pdf_text(document)
    assert_dutch_letter(
        text,
        case,
        "Informatie over de verwerking van uw persoonsgegevens",
        f"Beste {party.person.first_name} {party.person.last_name}",
        "Gegevensbeschermingsautoriteit",
    )


@pytest.mark.parametrize(
    ("meeting", "phrase"),
    [
        ("intake", "We nodigen u uit voor een intakegesprek."),
        ("consultation", "het casusoverleg volgens artikel 458ter van het Strafwetboek"),
    ],
)
def test_the_invitation_names_the_meeting_its_day_time_and_place(world, meeting, phrase):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    document = letter_create(
        case=case,
        by=case.case_director,
        letter="invitation",
        addressee=party,
        fields=invitation_fields(meeting),
    )
    assert_stored(document, "uitnodiging.pdf")
    text = pdf_text(document)
    from django.utils import formats, translation

    with translation.override("nl"):
        day = formats.date_format(TOMORROW, "l j F Y")
    assert_dutch_letter(
        text, case, "Uitnodiging", party.person.last_name, phrase, day, "14:30", "Kerkstraat 1"
    )


def test_the_referral_letter_holds_the_reason_and_the_agreed_information_only(world):
    case = world.cases["city_a"]
    referral = world.children["city_a"]["referral_pk"]
    secret = world.children["city_a"]["party_pk"].person.last_name
    document = letter_create(
        case=case,
        by=case.case_director,
        letter="referral",
        referral=referral,
        fields={"agreed_information": "Moeder wil hulp bij opvoeding."},
    )
    assert_stored(document, "doorverwijzingsbrief.pdf")
    text = pdf_text(document)
    assert_dutch_letter(
        text,
        case,
        "Doorverwijzingsbrief",
        str(referral.partner),
        "Beste collega's",
        "Matrix referral",  # the referral's reason, as recorded
        "Moeder wil hulp bij opvoeding.",
        "niet hun dossier",
    )
    # Not the file: no person of the case is named unless the agreed information does.
    assert secret not in text


def test_the_closing_letter_needs_a_closed_case_and_says_where_to_find_help(world):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    with pytest.raises(ValidationError) as refused:
        letter_create(case=case, by=case.case_director, letter="closing", addressee=party)
    assert "afgesloten" in " ".join(refused.value.messages)
    assert not letters(case).exists()
    case = closed(case)
    document = letter_create(
        case=case,
        by=case.case_director,
        letter="closing",
        addressee=party,
        fields={"further_help": "Het CAW blijft u verder helpen."},
    )
    assert_stored(document, "afsluitbrief.pdf")
    assert_dutch_letter(
        pdf_text(document),
        case,
        "Afsluitbrief",
        party.person.last_name,
        "Reden van afsluiting: Doelen bereikt",
        "1712",
        "Het CAW blijft u verder helpen.",
    )


def test_a_letter_only_goes_to_a_person_or_referral_of_the_case(world):
    case, other = world.cases["city_a"], world.cases["city_b"]
    stranger = CHILDREN["party_pk"](world, other)
    by = case.case_director
    party = world.children["city_a"]["party_pk"]
    refusals = [
        {"letter": "information", "addressee": stranger},
        {"letter": "information"},
        {"letter": "unknown", "addressee": party},
        {"letter": "referral", "referral": world.children["city_b"]["referral_pk"]},
        {"letter": "referral"},
        {"letter": "referral", "referral": world.children["city_a"]["referral_pk"]},  # no info
        {"letter": "invitation", "addressee": party},
        {
            "letter": "invitation",
            "addressee": party,
            "fields": {**invitation_fields(), "day": timezone.localdate() - datetime.timedelta(1)},
        },
    ]
    for refusal in refusals:
        fields = refusal.pop("fields", {"agreed_information": ""})
        with pytest.raises(ValidationError):
            letter_create(case=case, by=by, fields=fields, **refusal)
    incoming = referral_create(
        case=case,
        by=by,
        direction=ReferralDirection.INCOMING,
        partner=world.orgs["partner_b"],
        referred_on=timezone.localdate(),
        reason="Binnengekomen",
    )
    with pytest.raises(ValidationError):
        letter_create(
            case=case,
            by=by,
            letter="referral",
            referral=incoming,
            fields={"agreed_information": "x"},
        )
    assert not letters(case).exists()


# --- the page "Brief opmaken" ---


def test_the_documents_page_links_the_letter_page_for_the_team_only(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    page = client.get(documents_url(case)).content.decode()
    assert f'href="{url(case)}"' in page
    # Each letter is a link on the letter page.
    letter_page = client.get(url(case)).content.decode()
    for code in LETTERS:
        assert f'href="{url(case, code)}"' in letter_page.replace("&amp;", "&")
    assert "Brief opmaken" in letter_page


def test_the_team_writes_an_invitation_and_lands_on_the_documents_page(world, client, caplog):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    client.force_login(world.users["director_city_a"])
    caplog.set_level(logging.DEBUG)
    response = client.post(
        url(case, "invitation"),
        {
            "addressee": party.pk,
            "meeting": "conversation",
            "day": TOMORROW.isoformat(),
            "time": "09:15",
            "place": "Kerkstraat 1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == documents_url(case)
    document = letters(case).get()
    assert document.kind == DocumentKind.LETTER and document.confidential
    version = document.versions.get()
    name = party.person.last_name
    assert name not in version.original_name and name not in document.title
    assert name not in response["Location"]
    assert name in pdf_text(document)
    assert name not in caplog.text
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Uitnodiging" in html and "Brief opgemaakt" in html
    download = reverse(
        "cases:document_download", kwargs={"pk": case.pk, "document_pk": document.pk}
    )
    assert download in html
    assert client.get(download).status_code == 200


def test_the_referral_letter_from_the_page(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    response = client.post(
        url(case, "referral"),
        {
            "referral": world.children["city_a"]["referral_pk"].pk,
            "agreed_information": "Afspraak: alleen de opvoedingsvraag.",
        },
    )
    assert response.status_code == 302
    document = letters(case).get()
    assert "Afspraak: alleen de opvoedingsvraag." in pdf_text(document)


def refused(client, path: str, data: dict) -> str:
    response = client.post(path, data)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_page_refuses_bad_input_in_dutch_and_stores_nothing(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    stranger = CHILDREN["party_pk"](world, world.cases["city_b"])
    assert "Kies de geadresseerde." in refused(client, url(case, "information"), {})
    assert "Kies een persoon van dit dossier." in refused(
        client, url(case, "information"), {"addressee": stranger.pk}
    )
    other_referral = world.children["city_b"]["referral_pk"]
    assert "Kies een doorverwijzing van dit dossier naar een partner." in refused(
        client,
        url(case, "referral"),
        {"referral": other_referral.pk, "agreed_information": "x"},
    )
    party = world.children["city_a"]["party_pk"]
    page = refused(client, url(case, "closing"), {"addressee": party.pk})
    assert "Een afsluitbrief kan pas opgemaakt worden als het dossier afgesloten is." in page
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    page = refused(
        client,
        url(case, "invitation"),
        {"addressee": party.pk, "meeting": "intake", "day": yesterday, "time": "10:00"},
    )
    assert "Geef de plaats van de afspraak." in page
    page = refused(
        client,
        url(case, "invitation"),
        {
            "addressee": party.pk,
            "meeting": "intake",
            "day": yesterday,
            "time": "10:00",
            "place": "Kerkstraat 1",
        },
    )
    assert "Een uitnodiging is voor vandaag of een latere dag." in page
    assert not letters(case).exists()
    # The closing page says before sending that the case is not closed yet.
    assert "nog niet afgesloten" in client.get(url(case, "closing")).content.decode()
    assert client.get(url(case, "nonsense")).status_code == 404


def test_a_double_submission_makes_one_letter(world, client):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    client.force_login(world.users["director_city_a"])
    page = client.get(url(case, "information")).content.decode()
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', page)
    assert found
    token = found.group(1)
    data = {"addressee": party.pk, FIELD: token}
    first = client.post(url(case, "information"), data)
    second = client.post(url(case, "information"), data)
    assert first.status_code == second.status_code == 302
    assert letters(case).count() == 1


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("director_city_b", 404),  # another organisation
        ("liaison_parket_a", 404),  # the case is not shared with the office
        ("admin_city_a", 404),  # an administrator reads no case content
    ],
)
def test_only_the_team_reaches_the_letter_page(world, client, username, status):
    case = world.cases["city_a"]
    client.force_login(world.users[username])
    assert client.get(url(case, "information")).status_code == status
    response = client.post(
        url(case, "information"), {"addressee": world.children["city_a"]["party_pk"].pk}
    )
    assert response.status_code == status
    assert not letters(case).exists()


def test_anonymous_goes_to_the_login(world, client):
    response = client.get(url(world.cases["city_a"], "information"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_letter_page_is_found_by_clicking_from_the_home_page(world, client):
    from .test_findability import reachable

    client.force_login(world.users["director_city_a"])
    assert "cases:letter_create" in reachable(client)
