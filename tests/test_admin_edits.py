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
from cases.models import ClosingReason
from common.admin_edits import OPENED_AS, EditGuardAdmin
from partners.models import Organisation, Sector

from .admin_pages import admin_form_data, form_initial_data
from .form_values import form_values

pytestmark = pytest.mark.django_db

STALE = "Iemand anders heeft een wijziging opgeslagen terwijl u aan het bewerken was."
# A link, not the browser's reload (which would send the stale page again).
REOPEN = '<a href="{url}">Open de pagina opnieuw</a>'


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
    assert REOPEN.format(url=url) in response.content.decode()
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
    """The page's form and each inline's management form and rows as the page shows them."""
    response = client.get(url)
    data = form_initial_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.initial_forms:
            data.update(form_initial_data(form))
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


# --- the changelist's in-place columns (a closing reason's order and active flag) ---


def _list_as_opened(client, url):
    """The changelist's form as a browser sends it with "Save" (what the page renders only)."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_values(page.content.decode())
    data["_save"] = ["Opslaan"]
    return data


def _row_prefix(data, reason):
    """The formset prefix of ``reason``'s row on the page (``form-3``)."""
    (name,) = [
        name for name, values in data.items() if name.endswith("-id") and values == [str(reason.pk)]
    ]
    return name.removesuffix("-id")


def test_a_list_edit_opened_before_another_save_of_that_row_is_refused(world, client):
    url = reverse("admin:cases_closingreason_changelist")
    first = ClosingReason.objects.order_by("order", "pk")[0]
    assert first.is_active
    client.force_login(world.users["admin_city_a"])
    data = _list_as_opened(client, url)
    # Another administrator moves the first reason meanwhile.
    ClosingReason.objects.filter(pk=first.pk).update(order=first.order + 50)
    del data[f"{_row_prefix(data, first)}-is_active"]  # unticked
    response = client.post(url, data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert REOPEN.format(url=url) in response.content.decode()
    stored = ClosingReason.objects.get(pk=first.pk)
    assert (stored.order, stored.is_active) == (first.order + 50, True)


def test_a_list_save_does_not_put_back_the_old_value_of_a_row_someone_else_changed(world, client):
    """The whole page is posted: a row the administrator did not touch still carries the value
    it had when the page was opened, and would silently undo the other's change."""
    url = reverse("admin:cases_closingreason_changelist")
    first, second = ClosingReason.objects.order_by("order", "pk")[:2]
    client.force_login(world.users["admin_city_a"])
    data = _list_as_opened(client, url)
    ClosingReason.objects.filter(pk=second.pk).update(order=second.order + 50)
    data[f"{_row_prefix(data, first)}-order"] = [str(first.order + 1)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert ClosingReason.objects.get(pk=second.pk).order == second.order + 50
    assert ClosingReason.objects.get(pk=first.pk).order == first.order
    # Opened again, the page saves the change and keeps the other's.
    data = _list_as_opened(client, url)
    data[f"{_row_prefix(data, first)}-order"] = [str(first.order + 1)]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["cl"].formset.errors
    assert ClosingReason.objects.get(pk=first.pk).order == first.order + 1
    assert ClosingReason.objects.get(pk=second.pk).order == second.order + 50


def test_a_list_save_without_the_opened_page_changes_nothing(world, client):
    url = reverse("admin:cases_closingreason_changelist")
    first = ClosingReason.objects.order_by("order", "pk")[0]
    client.force_login(world.users["admin_city_a"])
    data = _list_as_opened(client, url)
    data = {name: values for name, values in data.items() if not name.endswith(OPENED_AS)}
    data[f"{_row_prefix(data, first)}-order"] = [str(first.order + 1)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Open het opnieuw" in response.content.decode()
    assert REOPEN.format(url=url) not in response.content.decode()  # nothing was stale
    assert ClosingReason.objects.get(pk=first.pk).order == first.order


def _admins_with_list_columns():
    return sorted(
        (
            model._meta.label_lower
            for model, model_admin in admin.site._registry.items()
            if model_admin.list_editable
        )
    )


def test_the_lists_with_in_place_columns_are_found():
    assert _admins_with_list_columns() == [
        "cases.closingreason",
        "cases.formofviolence",
        "cases.nottakenonreason",
        "cases.relationshipcontext",
    ]


@pytest.mark.parametrize("label", _admins_with_list_columns())
def test_every_row_of_a_list_with_in_place_columns_carries_its_fingerprint(world, client, label):
    app_label, model_name = label.split(".")
    client.force_login(world.users["admin_city_a"])
    data = _list_as_opened(client, reverse(f"admin:{app_label}_{model_name}_changelist"))
    rows = [name.removesuffix("-id") for name in data if name.endswith("-id")]
    assert rows
    for row in rows:
        assert len(data[f"{row}-{OPENED_AS}"][0]) == 64, row
