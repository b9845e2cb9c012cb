"""Dutch (nl-BE) first, English available; the catalogue is complete."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES"


def test_dutch_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    assert {e.msgid for e in po.translated_entries()} <= {e.msgid for e in mo}


@pytest.mark.django_db
def test_interface_is_dutch_by_default_and_english_on_request(world, client):
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("cases:list")).content.decode()
    assert 'lang="nl-be"' in page and "Dossiers" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("cases:list")).content.decode()
    assert 'lang="en"' in page and "Cases" in page


@pytest.mark.django_db
def test_browser_language_does_not_override_dutch(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="nl-be"' in page
