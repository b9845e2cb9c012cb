"""Every edit form of a versioned object requires its version: a POST without it (an old
page, a script) or with an old one is refused and changes nothing (issue 15)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from common.versioning import VersionField
from partners.models import ContactPerson

from .access_rules import CASE_KEYS, EXPECTED
from .test_permission_matrix import SPECS, _expected, _fingerprint, _routes, _url

pytestmark = pytest.mark.django_db

MISSING = "Dit formulier zegt niet welke versie het wijzigt."
STALE = "Iemand anders heeft een wijziging opgeslagen terwijl u aan het bewerken was."


class _FormValues(HTMLParser):
    """The values a browser would send for the page's POST form (as it was rendered)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_post_form = False
        self.select: str | None = None
        self.textarea: str | None = None

    def _add(self, name: str | None, value: str) -> None:
        if name and name != "csrfmiddlewaretoken":
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and not a.get("action"):
            self.in_post_form = True
        if not self.in_post_form:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._add(a.get("name"), a.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self._add(self.select, a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a.get("name")
            self._add(self.textarea, "")

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


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
                values = _FormValues()
                values.feed(page.content.decode())
                return url, values.data
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
