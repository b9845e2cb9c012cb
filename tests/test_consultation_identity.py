"""The consultation shows who the family is, and only that (issue 13, part 7).

Inside the access window, the consultation view of an agenda case shows the client system's
minimal identity (names, date of birth or age, role, municipality), never an address or a
safe contact, and each read is audited with ids only. The summary warns about personal data.
"""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from access.policy import may_see_consultation_identity
from cases.models import AgeBand, Case
from cases.services import person_create_in_case
from common.personal_data import Finding, personal_data_findings

from . import party_roles as pr
from .factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

PURPOSE = "consultation view: client system identity"
SECRETS = ("Geheime Gang 7", "Bellen op donderdag", "Open Straat 3", "Via zijn advocaat")


@pytest.fixture
def family(setting):
    """Case x (on the agenda) with a victim, a perpetrator and a child; municipality Lier."""
    case = setting.cases["x"]
    director = setting.users["director"]
    lier = MunicipalityFactory(name="Lier")
    Case.objects.filter(pk=case.pk).update(municipality=lier)
    add = person_create_in_case
    parties = [
        add(
            case=case,
            by=director,
            **pr.VICTIM,
            confirm_new=True,
            first_name="Anna",
            last_name="Verhulst",
            date_of_birth=datetime.date(1990, 3, 4),
            address="Geheime Gang 7, 2500 Lier",
            address_confidential=True,
            safe_contact="Bellen op donderdag",
        ),
        add(
            case=case,
            by=director,
            **pr.PERPETRATOR,
            confirm_new=True,
            first_name="Bram",
            last_name="Claes",
            address="Open Straat 3, 2500 Lier",
            safe_contact="Via zijn advocaat",
            age_band=AgeBand.AGE_25_44,
        ),
        add(
            case=case,
            by=director,
            **pr.CHILD,
            confirm_new=True,
            first_name="Lotte",
            last_name="Claes",
            date_of_birth=datetime.date(2016, 5, 1),
        ),
    ]
    return parties


def _item_url(setting, key="x"):
    return reverse(
        "consultations:item",
        kwargs={"pk": setting.consultation.pk, "item_pk": setting.items[key].pk},
    )


def _identity_reads(user):
    return AuditEvent.objects.filter(user=user, action=AuditAction.VIEW, purpose=PURPOSE)


def _shows_the_family(page: str) -> None:
    for text in ("Anna Verhulst", "Bram Claes", "Lotte Claes", "Lier", "Slachtoffer", "Pleger"):
        assert text in page, text
    assert "04/03/1990" in page  # nl-BE's short date (fjc/formats/nl)
    assert "25-44" in page  # the age band when the date of birth is not known
    for secret in SECRETS:
        assert secret not in page


def test_a_participant_inside_the_window_sees_the_family_and_it_is_audited(setting, family, client):
    setting.add_liaison(setting.consultation)
    liaison = setting.users["liaison"]
    client.force_login(liaison)
    response = client.get(_item_url(setting))
    assert response.status_code == 200
    _shows_the_family(response.content.decode())
    read = _identity_reads(liaison).get()
    assert read.case_id == setting.cases["x"].pk
    assert read.object_type == "cases.caseparty"
    assert read.view_name == "consultations:item"
    assert sorted(read.detail["ids"]) == sorted(str(p.pk) for p in family)
    assert read.detail["agenda_item"] == setting.items["x"].pk
    assert not any(name in str(read.detail) for name in ("Anna", "Verhulst", "Claes", "1990"))
    # Each read is a row.
    client.get(_item_url(setting))
    assert _identity_reads(liaison).count() == 2


def test_outside_the_window_the_participant_gets_404_and_no_identity(setting, family, client):
    c = setting.consultation
    setting.add_liaison(c)
    liaison = setting.users["liaison"]
    item = setting.items["x"]
    for moment in (
        c.access_closes_at + datetime.timedelta(minutes=1),
        c.access_opens_at - datetime.timedelta(minutes=1),
    ):
        with time_machine.travel(moment, tick=False):
            client.force_login(liaison)
            assert client.get(_item_url(setting)).status_code == 404
            assert may_see_consultation_identity(liaison, item) is False
    assert may_see_consultation_identity(liaison, item) is True
    assert not _identity_reads(liaison).exists()


def test_the_case_team_sees_the_family_and_it_is_audited(setting, family, client):
    director = setting.users["director"]
    client.force_login(director)
    response = client.get(_item_url(setting))
    assert response.status_code == 200
    _shows_the_family(response.content.decode())
    assert _identity_reads(director).count() == 1


@pytest.mark.parametrize("username", ["outsider", "helper", "admin"])
def test_a_non_participant_or_administrator_gets_404(setting, family, client, username):
    setting.add_liaison(setting.consultation)
    user = setting.users[username]
    client.force_login(user)
    assert client.get(_item_url(setting)).status_code == 404
    assert may_see_consultation_identity(user, setting.items["x"]) is False
    assert not _identity_reads(user).exists()


def test_a_participant_who_has_not_confirmed_secrecy_gets_404(setting, family, client):
    setting.add_liaison(setting.consultation, confirm=False)
    client.force_login(setting.users["liaison"])
    assert client.get(_item_url(setting)).status_code == 404
    assert not _identity_reads(setting.users["liaison"]).exists()


def test_the_identity_is_only_that_of_the_agenda_case(setting, family, client):
    setting.add_liaison(setting.consultation)
    client.force_login(setting.users["liaison"])
    page = client.get(_item_url(setting, "y")).content.decode()
    assert "Anna Verhulst" not in page and "Bram Claes" not in page


# --- the summary warns about personal data -------------------------------------------------


def _edit(setting, client, summary):
    item = setting.items["x"]
    item.refresh_from_db()
    url = reverse(
        "consultations:item_edit", kwargs={"pk": setting.consultation.pk, "item_pk": item.pk}
    )
    response = client.post(url, {"summary": summary, "version": item.version})
    assert response.status_code == 302  # saved: the warning never blocks
    item.refresh_from_db()
    assert item.summary == summary
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "summary",
    [
        "Anna (°04/03/1990) meldt nieuwe feiten.",
        "Rijksregisternummer 90.03.04-123.45 doorgegeven.",
        "Moeder en Verhulst hebben contact gehad.",
        "gesprek met BRAM gepland",
    ],
)
def test_the_summary_warns_when_it_looks_like_personal_data(setting, family, client, summary):
    client.force_login(setting.users["director"])
    messages = _edit(setting, client, summary)
    warnings = [text for level, text in messages if level == "warning"]
    assert len(warnings) == 1
    assert "persoonsgegevens" in warnings[0]


def test_a_summary_without_personal_data_gives_no_warning(setting, family, client):
    client.force_login(setting.users["director"])
    messages = _edit(setting, client, "Nieuwe feiten gemeld; risico hoog; afstemming met politie.")
    assert [level for level, _text in messages] == ["success"]


def test_the_findings():
    assert personal_data_findings("geboren 4-3-1990") == [Finding.DATE]
    assert personal_data_findings("1990-03-04") == [Finding.DATE]
    assert personal_data_findings("RRN 90030412319") == [Finding.NATIONAL_NUMBER]
    assert personal_data_findings("Çelik belde", names=["Ayşe Celik"]) == [Finding.NAME]
    # Short name parts and parts of words are no match; neither are times or amounts.
    assert personal_data_findings("Bo bellen, Annabel gezien", names=["Bo Anna"]) == []
    assert personal_data_findings("om 14.30 u., 2 kinderen, 3/5 gesprekken") == []
    assert personal_data_findings("overleg op " + timezone.localdate().strftime("%d/%m")) == []
