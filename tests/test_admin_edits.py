"""Edits in the admin never silently overwrite someone else's change.

Each change page carries what the form showed when it was opened (``opened_as``); saving
compares it with the row as it is then, under a lock, and refuses a stale page with a Dutch
message, changing nothing. A row with a ``version`` (the partner directory's organisations)
gets the next version from an admin save too, so an application form opened before it is
refused in turn (``common.admin_edits``).
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from common.admin_edits import OPENED_AS, EditGuardAdmin
from partners.models import Organisation, Sector

from .admin_pages import admin_form_data

pytestmark = pytest.mark.django_db

STALE = "Iemand anders heeft een wijziging opgeslagen terwijl u aan het bewerken was."


def _organisation_url(org):
    return reverse("admin:partners_organisation_change", args=[org.pk])


def test_an_application_form_opened_before_an_admin_save_is_refused(world, client):
    """The lost update the review found: the administrator's change of the sector was
    overwritten by a directory form opened before it, whose version an admin save kept."""
    org = world.orgs["partner_a"]
    opened_version = Organisation.objects.get(pk=org.pk).version
    client.force_login(world.users["admin_city_a"])
    data = admin_form_data(client, _organisation_url(org))
    data["sector"] = Sector.JUSTICE
    response = client.post(_organisation_url(org), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:organisation_edit", kwargs={"organisation_pk": org.pk}),
        {"sector": Sector.WELFARE, "version": opened_version},
    )
    assert response.status_code == 409
    assert Organisation.objects.get(pk=org.pk).sector == Sector.JUSTICE


def test_an_admin_page_opened_before_an_application_save_is_refused(world, client):
    org = world.orgs["partner_a"]
    client.force_login(world.users["admin_city_a"])
    data = admin_form_data(client, _organisation_url(org))
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:organisation_edit", kwargs={"organisation_pk": org.pk}),
        {"sector": Sector.WELFARE, "version": Organisation.objects.get(pk=org.pk).version},
    )
    assert response.status_code == 302
    client.force_login(world.users["admin_city_a"])
    data["sector"] = Sector.JUSTICE
    response = client.post(_organisation_url(org), data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Organisation.objects.get(pk=org.pk).sector == Sector.WELFARE


def test_two_administrators_editing_one_account(world, client):
    """The second save of the same account is refused; opened again, it goes through."""
    account = world.users["opslead_city_a"]
    url = reverse("admin:accounts_user_change", args=[account.pk])
    first, second = client, client.__class__()
    first.force_login(world.users["admin_city_a"])
    second.force_login(world.users["superuser"])
    first_data, second_data = admin_form_data(first, url), admin_form_data(second, url)
    first_data["email"] = "eerste@stad-alfa.example"
    assert first.post(url, first_data).status_code == 302
    second_data["last_name"] = "Tweede"
    response = second.post(url, second_data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    account = User.objects.get(pk=account.pk)
    assert (account.email, account.last_name) == ("eerste@stad-alfa.example", "Test")
    second_data = admin_form_data(second, url)
    second_data["last_name"] = "Tweede"
    assert second.post(url, second_data).status_code == 302
    account = User.objects.get(pk=account.pk)
    assert (account.email, account.last_name) == ("eerste@stad-alfa.example", "Tweede")


def test_a_change_sent_without_the_opened_page_changes_nothing(world, client):
    """A script or a page from before this check: refused like a stale page."""
    org = world.orgs["partner_a"]
    client.force_login(world.users["admin_city_a"])
    data = admin_form_data(client, _organisation_url(org))
    assert OPENED_AS in data
    del data[OPENED_AS]
    data["sector"] = Sector.JUSTICE
    response = client.post(_organisation_url(org), data)
    assert response.status_code == 200
    assert "Open het opnieuw" in response.content.decode()
    assert Organisation.objects.get(pk=org.pk).sector != Sector.JUSTICE


def test_a_signed_in_person_is_no_edit_of_their_account(world, client):
    """What the form does not show (the last login, the password) is no conflict."""
    account = world.users["opslead_city_a"]
    url = reverse("admin:accounts_user_change", args=[account.pk])
    client.force_login(world.users["admin_city_a"])
    data = admin_form_data(client, url)
    client.__class__().force_login(account)  # the person signs in meanwhile
    data["first_name"] = "Nieuw"
    assert client.post(url, data).status_code == 302
    assert User.objects.get(pk=account.pk).first_name == "Nieuw"


# Registered admins that change nothing, or are a library's: no page to guard.
UNGUARDED = {
    "access.auditevent": "read-only: the audit trail is append-only",
    "axes.accessattempt": "django-axes' admin: read-only rows, only deleted (a lock lifted)",
    "axes.accesslog": "django-axes' admin: read-only rows",
    "axes.accessfailurelog": "django-axes' admin: read-only rows",
}


def test_every_admin_that_changes_rows_guards_its_edits():
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower in UNGUARDED:
            continue
        assert isinstance(model_admin, EditGuardAdmin), model._meta.label


def _with_inlines(client, url):
    """``admin_form_data`` and each inline's management form and rows as the page shows them."""
    response = client.get(url)
    data = admin_form_data(client, url)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.initial_forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None:
                    data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_a_change_to_the_rows_edited_with_the_page_makes_it_stale(world, client):
    """A municipality's population figures are edited on its page: another administrator's
    correction of a figure after the page was opened is not overwritten."""
    from partners.models import Municipality, MunicipalityPopulation

    from .factories import MunicipalityFactory

    town: Municipality = MunicipalityFactory.create()
    figure = MunicipalityPopulation.objects.create(municipality=town, year=2024, inhabitants=1000)
    url = reverse("admin:partners_municipality_change", args=[town.pk])
    client.force_login(world.users["admin_city_a"])
    data = _with_inlines(client, url)
    MunicipalityPopulation.objects.filter(pk=figure.pk).update(inhabitants=1234)
    response = client.post(url, data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert MunicipalityPopulation.objects.get(pk=figure.pk).inhabitants == 1234
    # Opened again, the page saves (and keeps the correction it now shows).
    assert client.post(url, _with_inlines(client, url)).status_code == 302
    assert MunicipalityPopulation.objects.get(pk=figure.pk).inhabitants == 1234
