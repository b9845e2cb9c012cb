"""Planning art. 458ter consultations: legal bases, participants, agenda, pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import Track
from cases.services import case_action_add, case_change_track
from consultations.models import (
    AgendaItem,
    Consultation,
    ConsultationAction,
    LegalBasis,
    Participant,
)
from consultations.selectors.planning import agenda_suggestions
from consultations.services import legal_bases, planning

from . import risk_factories

pytestmark = pytest.mark.django_db


def _when(days: int = 2) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _create(client, **data):
    return client.post(
        reverse("consultations:create"),
        {"scheduled_at": _when(), "location": "Zaal", "secrecy_confirmed": "on", **data},
    )


# --- legal basis required ---


def test_a_consultation_needs_a_legal_basis(setting, client):
    client.force_login(setting.users["director"])
    before = Consultation.objects.count()
    response = _create(client)
    assert response.status_code == 200
    assert "legal_basis" in response.context["form"].errors
    with pytest.raises(ValidationError) as error:
        planning.consultation_create(
            by=setting.users["director"],
            legal_basis=None,
            scheduled_at=timezone.now(),
            location="Zaal",
            secrecy_confirmed=True,
        )
    assert "legal_basis" in error.value.error_dict
    assert Consultation.objects.count() == before


def test_an_inactive_or_expired_basis_is_refused(setting, client):
    client.force_login(setting.users["director"])
    expired = legal_bases.legal_basis_create(
        by=setting.users["opslead"],
        kind="authorisation",
        reference="PK 2020/1",
        dated_on=timezone.localdate() - datetime.timedelta(days=400),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        purpose="p",
        issuing_office=setting.orgs["parket"],
        allowed_organisations=[setting.orgs["city"]],
    )
    legal_bases.legal_basis_confirm(legal_basis=expired, by=setting.users["liaison"])
    response = _create(client, legal_basis=expired.pk)
    assert "legal_basis" in response.context["form"].errors
    legal_bases.legal_basis_deactivate(legal_basis=setting.basis, by=setting.users["opslead"])
    response = _create(client, legal_basis=setting.basis.pk)
    assert "legal_basis" in response.context["form"].errors
    assert Consultation.objects.count() == 1


def test_the_chair_confirms_secrecy_when_creating(setting, client):
    client.force_login(setting.users["director"])
    response = _create(client, legal_basis=setting.basis.pk, secrecy_confirmed="")
    assert "secrecy_confirmed" in response.context["form"].errors
    response = _create(client, legal_basis=setting.basis.pk)
    assert response.status_code == 302
    consultation = Consultation.objects.latest("pk")
    assert consultation.chair == setting.users["director"]
    chair = Participant.objects.get(consultation=consultation)
    assert chair.user == setting.users["director"] and chair.secrecy_confirmed_at is not None


def test_only_case_directors_create(setting, client):
    client.force_login(setting.users["liaison"])
    assert client.get(reverse("consultations:create")).status_code == 403
    client.force_login(setting.users["admin"])
    assert client.get(reverse("consultations:create")).status_code == 403


def test_a_place_or_online_is_required(setting, client):
    client.force_login(setting.users["director"])
    response = _create(client, legal_basis=setting.basis.pk, location="")
    assert "location" in response.context["form"].errors
    response = _create(client, legal_basis=setting.basis.pk, location="", is_online="on")
    assert response.status_code == 302


# --- participants ---


def test_participants_outside_the_allowed_organisations_are_refused(setting, client):
    c = setting.consultation
    client.force_login(setting.users["director"])
    url = reverse("consultations:participant_add", kwargs={"pk": c.pk})
    for name in ("outsider", "admin"):
        response = client.post(url, {"user": setting.users[name].pk})
        assert response.status_code == 200
        assert "user" in response.context["form"].errors
        with pytest.raises(ValidationError):
            planning.participant_add_user(consultation=c, by=c.chair, user=setting.users[name])
    named = reverse("consultations:participant_add_named", kwargs={"pk": c.pk})
    response = client.post(named, {"name": "Iemand", "organisation": setting.orgs["caw"].pk})
    assert "organisation" in response.context["form"].errors
    assert Participant.objects.filter(consultation=c).count() == 1
    response = client.post(named, {"name": "Inspecteur", "organisation": setting.orgs["police"].pk})
    assert response.status_code == 302
    assert client.post(url, {"user": setting.users["liaison"].pk}).status_code == 302


def test_a_named_representative_never_gets_access(setting):
    c = setting.consultation
    participant = planning.participant_add_named(
        consultation=c, by=c.chair, name="Inspecteur", organisation=setting.orgs["police"]
    )
    assert not participant.accesses.exists()


def test_the_chair_cannot_be_removed(setting):
    chair = Participant.objects.get(consultation=setting.consultation)
    with pytest.raises(ValidationError):
        planning.participant_remove(participant=chair, by=setting.users["director"])


# --- legal basis pages ---


def test_legal_basis_pages(setting, client):
    client.force_login(setting.users["opslead"])
    assert client.get(reverse("consultations:legal_bases")).status_code == 200
    data = {
        "kind": "authorisation",
        "reference": "PK 2025/7",
        "dated_on": timezone.localdate().isoformat(),
        "purpose": "Bescherming",
        "allowed_organisations": [setting.orgs["city"].pk, setting.orgs["parket"].pk],
        "issuing_office": setting.orgs["parket"].pk,
        "is_active": "on",
    }
    assert client.post(reverse("consultations:legal_basis_create"), data).status_code == 302
    basis = LegalBasis.objects.get(reference="PK 2025/7")
    assert set(basis.allowed_organisations.all()) == {setting.orgs["city"], setting.orgs["parket"]}
    duplicate = client.post(reverse("consultations:legal_basis_create"), data)
    assert "reference" in duplicate.context["form"].errors
    edit = reverse("consultations:legal_basis_edit", kwargs={"legal_basis_pk": basis.pk})
    versions = basis.history.count()
    ok = client.post(edit, {**data, "purpose": "Nieuw doel", "version": basis.version})
    assert ok.status_code == 302
    stale = client.post(edit, {**data, "purpose": "Ander doel", "version": basis.version})
    assert stale.status_code == 409
    basis.refresh_from_db()
    assert basis.purpose == "Nieuw doel"
    assert basis.history.count() > versions
    assert basis.history.first().purpose == "Nieuw doel"
    none = client.post(edit, {**data, "allowed_organisations": [], "version": basis.version})
    assert "allowed_organisations" in none.context["form"].errors
    client.post(
        reverse("consultations:legal_basis_deactivate", kwargs={"legal_basis_pk": basis.pk}),
        {"confirm": "yes"},
    )
    basis.refresh_from_db()
    assert not basis.is_active
    # Readers who do not keep the bases: the list, not the forms.
    for reader in ("liaison", "director"):
        client.force_login(setting.users[reader])
        assert client.get(reverse("consultations:legal_bases")).status_code == 200
        assert client.get(reverse("consultations:legal_basis_create")).status_code == 403
    client.force_login(setting.users["helper"])
    assert client.get(reverse("consultations:legal_bases")).status_code == 403


# --- agenda ---


def test_only_cases_the_user_steers_go_on_the_agenda(setting, client):
    c = setting.consultation
    client.force_login(setting.users["director"])
    url = reverse("consultations:agenda_add", kwargs={"pk": c.pk})
    response = client.post(url, {"case": setting.cases["other"].pk})
    assert response.status_code == 200
    assert "case" in response.context["form"].errors
    missing = client.post(url, {"case": 999999})
    assert missing.context["form"].errors == response.context["form"].errors
    assert setting.cases["other"].reference not in response.content.decode()
    with pytest.raises(ValidationError):
        planning.agenda_item_add(consultation=c, by=c.chair, case=setting.cases["other"])
    assert client.post(url, {"case": setting.cases["z"].pk}).status_code == 302
    assert AgendaItem.objects.filter(consultation=c).count() == 3


def test_suggestions_with_reasons(setting):
    director = setting.users["director"]
    c = setting.plan(days=7)
    x, y, z = (setting.cases[k] for k in ("x", "y", "z"))
    # High: a checklist with 14 or more "yes".
    version = risk_factories.shipped(risk_factories.CHECKLIST)
    risk_factories.make_assessment(x, answers=risk_factories.answers_for(version, yes=15))
    # An open action due before the meeting (a review).
    case_action_add(
        case=y,
        by=director,
        description="Review",
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        assignee_user=director,
    )
    # Carried over from the previous consultation (setting.consultation, tomorrow).
    action = case_action_add(
        case=z,
        by=director,
        description="Follow up",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        assignee_user=director,
    )
    item_z = planning.agenda_item_add(consultation=setting.consultation, by=director, case=z)
    ConsultationAction.objects.create(agenda_item=item_z, case_action=action)
    with translation.override("en"):
        found = agenda_suggestions(consultation=c, user=director)
    suggestions = {s.case: s.reasons for s in found}
    assert any("high" in r for r in suggestions[x])
    assert any("due" in r for r in suggestions[y])
    expected_day = timezone.localtime(setting.consultation.scheduled_at).date().isoformat()
    assert any(expected_day in r for r in suggestions[z])
    assert setting.cases["other"] not in suggestions


def test_suggestions_track_three_since_the_previous_consultation(setting):
    director = setting.users["director"]
    case = setting.cases["other"]
    # A case of the director that moves to track 3 now.
    from .factories import make_case

    moved = make_case(director, track=Track.OUTREACH)
    case_change_track(
        case=moved, by=director, to_track=Track.CHAIN, changed_on=timezone.localdate(), reason="r"
    )
    with translation.override("en"):
        found = agenda_suggestions(consultation=setting.consultation, user=director)
    suggestions = {s.case: s.reasons for s in found}
    assert any("track 3" in r for r in suggestions[moved])
    assert case not in suggestions


def test_suggestion_queries_do_not_grow_with_cases(setting):
    director = setting.users["director"]
    from .factories import make_case

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            agenda_suggestions(consultation=setting.consultation, user=director)
        return len(queries)

    def due_case() -> None:
        case = make_case(director, track=Track.CHAIN)
        case_action_add(
            case=case,
            by=director,
            description="a",
            due_on=timezone.localdate(),
            assignee_user=director,
        )

    due_case()
    first = count()
    for _ in range(4):
        due_case()
    assert count() == first


def test_the_case_team_edits_the_item_with_optimistic_locking(setting, client):
    c = setting.consultation
    item = setting.items["x"]
    url = reverse("consultations:item_edit", kwargs={"pk": c.pk, "item_pk": item.pk})
    client.force_login(setting.users["director"])
    ok = client.post(url, {"summary": "Samenvatting", "version": item.version})
    assert ok.status_code == 302
    stale = client.post(url, {"summary": "Ander", "version": item.version})
    assert stale.status_code == 409
    item.refresh_from_db()
    assert item.summary == "Samenvatting"


def test_reorder(setting, client):
    c = setting.consultation
    client.force_login(setting.users["director"])
    url = reverse(
        "consultations:agenda_move", kwargs={"pk": c.pk, "item_pk": setting.items["y"].pk}
    )
    client.post(url, {"direction": "up"})
    order = list(
        AgendaItem.objects.filter(consultation=c).order_by("order").values_list("case", flat=True)
    )
    assert order == [setting.cases["y"].pk, setting.cases["x"].pk]


# --- query counts ---


def _grow(setting, consultation, n):
    from .factories import make_case

    for _ in range(n):
        case = make_case(setting.users["director"], track=Track.CHAIN)
        planning.agenda_item_add(consultation=consultation, by=consultation.chair, case=case)
        planning.participant_add_named(
            consultation=consultation,
            by=consultation.chair,
            name="Vertegenwoordiger",
            organisation=setting.orgs["police"],
        )


@pytest.mark.parametrize("who", ["director", "liaison"])
def test_page_query_counts_are_constant(setting, client, who):
    c = setting.consultation
    setting.add_liaison(c)
    client.force_login(setting.users[who])
    item = setting.items["x"]
    urls = [
        reverse("consultations:list"),
        reverse("consultations:detail", kwargs={"pk": c.pk}),
        reverse("consultations:item", kwargs={"pk": c.pk, "item_pk": item.pk}),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    before = counts()
    _grow(setting, c, 4)
    for other in range(3):
        extra = setting.plan(days=2 + other)
        planning.participant_add_user(
            consultation=extra, by=extra.chair, user=setting.users["liaison"]
        )
        planning.secrecy_confirm(consultation=extra, user=setting.users["liaison"])
    assert counts() == before
