"""Every edit form of a versioned object requires its version: a POST without it (an old
page, a script) or with an old one is refused and changes nothing (issue 15)."""

import pytest
from django.urls import reverse

from common.versioning import VersionField
from common.views import ServiceFormMixin
from partners.models import ContactPerson

from .access_rules import CASE_KEYS, EXPECTED
from .form_values import form_values
from .test_permission_matrix import SPECS, _expected, _fingerprint, _routes, _url

pytestmark = pytest.mark.django_db

MISSING = "Dit formulier zegt niet welke versie het wijzigt."
STALE = "Iemand anders heeft een wijziging opgeslagen terwijl u aan het bewerken was."
REOPEN = "Open de pagina opnieuw"


def _versioned_edit_routes() -> list[str]:
    names = []
    for name, route in _routes().items():
        form_class = getattr(route.view_class, "form_class", None)
        field = getattr(form_class, "base_fields", {}).get("version")
        if isinstance(field, VersionField) and SPECS[name].method == "get":
            creates = "add" in name or name.endswith("_create")
            if not creates or "legal_basis_pk" in route.pattern.pattern.converters:
                names.append(name)
    return sorted(names)


def _open(world, client, name: str):
    """The edit page as a user who may change it: (url, the values it would send)."""
    spec = SPECS[name]
    case_keys = CASE_KEYS if spec.kind.startswith("case_") else (None,)
    for username in EXPECTED:
        for case_key in case_keys:
            if _expected(username, spec, case_key) == 200:
                client.force_login(world.users[username])
                url = _url(world, name, case_key)
                page = client.get(url)
                assert page.status_code == 200
                return url, form_values(page.content.decode())
    pytest.fail(f"no user in the world may open {name}")


def test_the_versioned_edit_forms_are_found():
    names = _versioned_edit_routes()
    assert len(names) >= 15, names
    for expected in ("consultations:edit", "consultations:item_edit", "partners:contact_edit"):
        assert expected in names


@pytest.mark.parametrize("name", _versioned_edit_routes())
def test_an_edit_without_its_version_is_refused(world, client, name):
    url, data = _open(world, client, name)
    assert "version" in data, f"{name} does not render its version"
    data.pop("version")
    before = _fingerprint()
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code in (200, 409)
    assert MISSING in response.content.decode()
    assert _fingerprint() == before


def test_a_partner_directory_edit_from_a_stale_form_is_refused(world, client):
    name = "partners:contact_edit"
    url, data = _open(world, client, name)
    first = {**data, "function": "Eerste wijziging"}
    second = {**data, "function": "Tweede wijziging"}  # opened at the same version
    assert client.post(url, first).status_code == 302
    refused = client.post(url, second, HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 409 and STALE in refused.content.decode()
    contact = ContactPerson.objects.get(pk=world.directory["contact_pk"].pk)
    assert contact.function == "Eerste wijziging"
    assert reverse("partners:contact_edit", args=[contact.pk]) == url


def test_a_refused_edit_says_how_to_go_on_and_a_second_click_overwrites_nothing(world, client):
    """The refused page keeps what the user typed (to copy), and the version they opened: the
    same page saved again is refused again, never a blind overwrite. The message says so and
    sends them to the page as it is now, where their change goes through."""
    name = "partners:contact_edit"
    url, data = _open(world, client, name)
    assert client.post(url, {**data, "function": "Eerste wijziging"}).status_code == 302
    refused = client.post(url, {**data, "function": "Tweede wijziging"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 409
    page = refused.content.decode()
    assert STALE in page and REOPEN in page
    # A link, not the browser's reload (which would send the stale page again).
    assert f'<a href="{url}">{REOPEN}</a>' in page
    again = form_values(page)
    assert again["function"] == ["Tweede wijziging"]
    assert client.post(url, again, HTTP_ACCEPT_LANGUAGE="nl").status_code == 409
    contact = ContactPerson.objects.get(pk=world.directory["contact_pk"].pk)
    assert contact.function == "Eerste wijziging"
    _url_again, reopened = _open(world, client, name)
    assert reopened["function"] == ["Eerste wijziging"]
    assert client.post(url, {**reopened, "function": "Tweede wijziging"}).status_code == 302
    contact.refresh_from_db()
    assert contact.function == "Tweede wijziging"


def test_every_versioned_edit_answers_a_conflict_in_the_one_place():
    """``ServiceFormMixin`` renders every refused stale edit: a 409 with the message and the
    link to the page as it is now (``edit_conflict``), shown by the page's error summary."""
    routes = _routes()
    for name in _versioned_edit_routes():
        view_class = routes[name].view_class
        assert view_class is not None and issubclass(view_class, ServiceFormMixin), name


# The edit pages that save as they were opened (the others need a choice made first): each is
# saved, then saved again from the same page, as a colleague's save and a stale page would be.
SAVED_AS_OPENED = (
    "cases:action_update",
    "cases:child_file_edit",
    "cases:condition_edit",
    "cases:trajectory_notes",
    "consultations:edit",
    "consultations:item_edit",
    "consultations:item_review",
    "consultations:legal_basis_edit",
    "partners:agreement_edit",
    "partners:contact_edit",
    "partners:organisation_edit",
    "partners:training_edit",
)


@pytest.mark.parametrize("name", SAVED_AS_OPENED)
def test_a_stale_edit_is_refused_with_the_way_back(world, client, name):
    assert name in _versioned_edit_routes()
    url, data = _open(world, client, name)
    assert client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl").status_code == 302
    before = _fingerprint()
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")
    page = refused.content.decode()
    assert refused.status_code == 409
    assert STALE in page and f'<a href="{url}">{REOPEN}</a>' in page
    assert _fingerprint() == before
