"""The partner directory: who reads it, who keeps it, and the private agreement documents."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Agreement, ContactPerson, Municipality, Organisation, PoliceZone, Sector

pytestmark = pytest.mark.django_db

READERS = [
    "netcoord_vo_a",
    "director_city_a",
    "opslead_city_a",
    "liaison_parket_a",
    "partner_partner_a",
]
NOT_READERS = ["admin_city_a", "admin_caw_b"]
EDITORS = ["netcoord_vo_a", "netcoord_vo_b"]
NOT_EDITORS = ["director_city_a", "opslead_city_a", "liaison_parket_a", "admin_city_a"]


def _urls(world):
    org = world.orgs["partner_b"]
    return {
        "read": [
            reverse("partners:directory"),
            reverse("partners:organisation", kwargs={"organisation_pk": org.pk}),
            reverse(
                "partners:agreement_download",
                kwargs={"agreement_pk": world.directory["agreement_pk"].pk},
            ),
        ],
        "edit": [
            reverse("partners:organisation_create"),
            reverse("partners:organisation_edit", kwargs={"organisation_pk": org.pk}),
            reverse("partners:contact_add", kwargs={"organisation_pk": org.pk}),
            reverse(
                "partners:contact_edit", kwargs={"contact_pk": world.directory["contact_pk"].pk}
            ),
            reverse("partners:agreement_add", kwargs={"organisation_pk": org.pk}),
            reverse(
                "partners:agreement_edit",
                kwargs={"agreement_pk": world.directory["agreement_pk"].pk},
            ),
        ],
    }


def test_each_role_gets_its_exact_status(world, client):
    urls = _urls(world)
    for url in urls["read"] + urls["edit"]:
        client.logout()
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    for username in READERS:
        client.force_login(world.users[username])
        for url in urls["read"]:
            assert client.get(url).status_code == 200, (username, url)
    for username in NOT_READERS:
        client.force_login(world.users[username])
        for url in urls["read"] + urls["edit"]:
            assert client.get(url).status_code == 403, (username, url)
    for username in EDITORS:
        client.force_login(world.users[username])
        for url in urls["edit"]:
            assert client.get(url).status_code == 200, (username, url)
    for username in NOT_EDITORS:
        client.force_login(world.users[username])
        for url in urls["edit"]:
            assert client.get(url).status_code == 403, (username, url)


def test_non_editor_posts_change_nothing(world, client):
    org = world.orgs["partner_b"]
    client.force_login(world.users["director_city_a"])
    response = client.post(
        reverse("partners:organisation_edit", kwargs={"organisation_pk": org.pk}),
        {"sector": Sector.HEALTH, "is_core_partner": "on"},
    )
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.sector == "" and not org.is_core_partner


def _municipality(name="Alfadorp"):
    zone, _ = PoliceZone.objects.get_or_create(name="Zone Test")
    return Municipality.objects.create(name=name, police_zone=zone)


def test_coordinator_creates_and_edits_an_organisation(world, client):
    town = _municipality()
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:organisation_create"),
        {
            "name": "Vertrouwenscentrum Kindermishandeling",
            "kind": "partner",
            "sector": Sector.YOUTH_CARE,
            "is_core_partner": "on",
            "municipalities_served": [town.pk],
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Vertrouwenscentrum Kindermishandeling")
    # Made through partners.services.organisation_create: it has its own group.
    assert org.group.name == "org:Vertrouwenscentrum Kindermishandeling"
    assert org.is_core_partner and list(org.municipalities_served.all()) == [town]
    assert org.history.first().history_user == world.users["netcoord_vo_a"]

    response = client.post(
        reverse("partners:organisation_edit", kwargs={"organisation_pk": org.pk}),
        {"sector": Sector.WELFARE, "version": org.version},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.sector == Sector.WELFARE and not org.is_core_partner
    assert not org.municipalities_served.exists()


def test_invalid_organisation_changes_nothing(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    count = Organisation.objects.count()
    response = client.post(
        reverse("partners:organisation_create"),
        {"name": "CAW Alfa", "kind": "caw", "sector": Sector.WELFARE},
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    response = client.post(
        reverse("partners:organisation_create"), {"name": "", "kind": "nonsense", "sector": "x"}
    )
    assert set(response.context["form"].errors) >= {"name", "kind", "sector"}
    assert Organisation.objects.count() == count


def test_contacts(world, client):
    org = world.orgs["partner_b"]
    client.force_login(world.users["netcoord_vo_a"])
    url = reverse("partners:contact_add", kwargs={"organisation_pk": org.pk})
    response = client.post(url, {"name": "", "email": "not-an-email"})
    assert set(response.context["form"].errors) == {"name", "email"}
    assert org.contacts.count() == 1
    response = client.post(
        url, {"name": "An Peeters", "function": "Teamleider", "email": "an@example.org"}
    )
    assert response.status_code == 302
    contact = org.contacts.get(name="An Peeters")
    assert not contact.is_active  # an unchecked box
    response = client.post(
        reverse("partners:contact_edit", kwargs={"contact_pk": contact.pk}),
        {"name": "An Peeters", "function": "Directeur", "is_active": "on", "version": 1},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.function == "Directeur" and contact.is_active
    assert ContactPerson.history.filter(id=contact.pk).count() == 2


def test_directory_filters(world, client):
    town = _municipality()
    health = world.orgs["caw_a"]
    health.sector = Sector.HEALTH
    health.is_core_partner = True
    health.save()
    health.municipalities_served.add(town)
    client.force_login(world.users["director_city_a"])
    url = reverse("partners:directory")
    assert len(client.get(url).context["organisations"]) == len(world.orgs)
    for query in ({"sector": Sector.HEALTH}, {"municipality": town.pk}, {"core": "on"}):
        assert list(client.get(url, query).context["organisations"]) == [health]
    assert list(client.get(url, {"sector": Sector.POLICE}).context["organisations"]) == []
    # A reader sees no editing links.
    assert reverse("partners:organisation_create") not in client.get(url).content.decode()


def test_agreement_upload_is_private_and_downloads_for_readers_only(world, client):
    org = world.orgs["partner_b"]
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:agreement_add", kwargs={"organisation_pk": org.pk}),
        {
            "kind": "cooperation",
            "title": "Samenwerkingsakkoord",
            "signed_on": "2026-01-15",
            "document": SimpleUploadedFile("akkoord.pdf", b"%PDF-1.4 akkoord"),
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Samenwerkingsakkoord")
    path = agreement.document.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    # No public URL serves the private media root.
    assert client.get(f"/media/{agreement.document.name}").status_code == 404
    url = reverse("partners:agreement_download", kwargs={"agreement_pk": agreement.pk})
    page = client.get(reverse("partners:organisation", kwargs={"organisation_pk": org.pk}))
    assert url in page.content.decode()
    for username in ("director_city_b", "partner_police_a"):
        client.force_login(world.users[username])
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 akkoord"
    client.force_login(world.users["admin_city_a"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_agreement_that_ends_before_signing_changes_nothing(world, client):
    org = world.orgs["partner_b"]
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:agreement_add", kwargs={"organisation_pk": org.pk}),
        {"kind": "458ter", "title": "X", "signed_on": "2026-02-01", "valid_until": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "valid_until" in response.context["form"].errors
    assert org.agreements.count() == 1
    agreement = world.directory["agreement_pk"]
    response = client.post(
        reverse("partners:agreement_edit", kwargs={"agreement_pk": agreement.pk}),
        {"kind": "458ter", "title": "", "signed_on": "nope"},
    )
    assert set(response.context["form"].errors) >= {"title", "signed_on"}
    agreement.refresh_from_db()
    assert agreement.title == "Protocol 458ter"
    assert agreement.signed_on <= datetime.date.today() + datetime.timedelta(days=1)


def test_navigation_links(world, client):
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("partners:directory") in page and reverse("reporting:dashboard") not in page
    client.force_login(world.users["netcoord_vo_a"])
    page = client.get(reverse("home")).content.decode()
    # The coordinator's "Network" link opens the dashboard; its sub-navigation has the gaps.
    assert reverse("partners:directory") in page and reverse("reporting:dashboard") in page
    client.force_login(world.users["admin_city_a"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("partners:directory") not in page
