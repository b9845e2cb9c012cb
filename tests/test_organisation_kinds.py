"""Organisation kinds that open judicial information (the prosecutor's office, the police)
are set by administrators only (issue 13, part 5)."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import RoleCode
from common.admin_edits import OPENED_AS
from partners.admin import OrganisationAdmin
from partners.models import JUDICIAL_INFORMATION_KINDS, Organisation, OrganisationKind
from partners.services import organisation_directory_create

from .factories import make_user

pytestmark = pytest.mark.django_db


def test_the_judicial_kinds_are_those_that_receive_judicial_information():
    for kind in OrganisationKind:
        opens = Organisation(kind=kind).receives_judicial_information
        assert opens == (kind in JUDICIAL_INFORMATION_KINDS)
    assert {OrganisationKind.PROSECUTOR, OrganisationKind.POLICE_ZONE} == JUDICIAL_INFORMATION_KINDS


def test_the_coordinators_form_offers_only_the_other_kinds(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    url = reverse("partners:organisation_create")
    offered = {value for value, _label in client.get(url).context["form"].fields["kind"].choices}
    assert offered == {"", *(set(OrganisationKind) - JUDICIAL_INFORMATION_KINDS)}
    for kind in JUDICIAL_INFORMATION_KINDS:
        response = client.post(url, {"name": f"Nep {kind}", "kind": kind})
        assert response.status_code == 200
        assert "kind" in response.context["form"].errors
        assert not Organisation.objects.filter(name=f"Nep {kind}").exists()


@pytest.mark.parametrize("kind", sorted(JUDICIAL_INFORMATION_KINDS))
def test_the_service_refuses_a_judicial_kind_to_the_coordinator(world, kind):
    with pytest.raises(ValidationError) as error:
        organisation_directory_create(by=world.users["netcoord_vo_a"], name="Nep", kind=kind)
    assert "kind" in error.value.error_dict
    assert not Organisation.objects.filter(name="Nep").exists()


def test_the_coordinator_cannot_change_a_kind(world, client):
    partner = world.orgs["partner_b"]
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:organisation_edit", kwargs={"organisation_pk": partner.pk}),
        {"kind": OrganisationKind.PROSECUTOR, "sector": "justice", "version": partner.version},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.kind == OrganisationKind.PARTNER
    assert not partner.receives_judicial_information


def test_an_administrator_sets_a_judicial_kind_in_the_admin(world, client):
    client.force_login(world.users["superuser"])
    response = client.post(
        reverse("admin:partners_organisation_add"),
        {"name": "Parket Gamma", "kind": OrganisationKind.PROSECUTOR, "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Organisation.objects.get(name="Parket Gamma").receives_judicial_information


def test_staff_without_the_administrator_role_cannot_in_the_admin(world):
    from django.contrib.auth.models import Permission

    staff = make_user("staff_only", world.orgs["vo_a"], RoleCode.NETWORK_COORDINATOR, is_staff=True)
    # Staff who were given the admin's organisation permissions (not case data).
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="partners",
            codename__in=["change_organisation", "view_organisation"],
        )
    )
    staff = type(staff).objects.get(pk=staff.pk)
    partner = world.orgs["partner_b"]
    form_class = OrganisationAdmin(Organisation, admin.site).get_form(
        type("Request", (), {"user": staff})(), partner, change=True
    )
    form = form_class(
        {"name": partner.name, "kind": OrganisationKind.POLICE_ZONE, "is_active": "on"},
        instance=partner,
    )
    assert not form.is_valid()
    assert "kind" in form.errors
    # Nor may it take the kind away from the police (it would silently close information).
    police = world.orgs["police_a"]
    form = form_class(
        {"name": police.name, "kind": OrganisationKind.PARTNER, "is_active": "on"}, instance=police
    )
    assert not form.is_valid()
    # A kind that opens nothing stays a staff member's to change.
    # The page as opened: the row as stored (the world's instance may be older).
    opened_as = form_class(instance=Organisation.objects.get(pk=partner.pk)).initial[OPENED_AS]
    form = form_class(
        {
            "name": partner.name,
            "kind": OrganisationKind.CAW,
            "is_active": "on",
            OPENED_AS: opened_as,
        },
        instance=partner,
    )
    assert form.is_valid(), form.errors
