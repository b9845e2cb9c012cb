"""Dutch (nl-BE) first, English available; the catalogue is complete."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_dutch_catalogue_is_complete_and_compiled(domain):
    po = polib.pofile(str(CATALOGUE / f"{domain}.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()
    mo = polib.mofile(str(CATALOGUE / f"{domain}.mo"))
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


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # nl-BE: the Belgian short date (not the Netherlands' "2-12-2026"), a point between
        # thousands and a decimal comma.
        ("nl-be", ("02/12/2026", "2 december 2026", "02/12/2026 14:30", "14:30", "1.234,5")),
        # English for a Belgian service: day first and a 24-hour clock, never "12/02/2026"
        # (2 December read the American way) or "2:30 p.m.".
        ("en", ("02/12/2026", "2 December 2026", "02/12/2026 14:30", "14:30", "1,234.5")),
    ],
)
def test_dates_and_numbers_are_european_in_both_languages(language, expected):
    import datetime
    from decimal import Decimal

    from django.utils import formats, translation

    day = datetime.date(2026, 12, 2)
    moment = datetime.datetime(2026, 12, 2, 14, 30)
    with translation.override(language):
        shown = (
            formats.date_format(day, "SHORT_DATE_FORMAT"),
            formats.date_format(day, "DATE_FORMAT"),
            formats.date_format(moment, "SHORT_DATETIME_FORMAT"),
            formats.time_format(moment.time(), "TIME_FORMAT"),
            formats.number_format(Decimal("1234.5"), use_l10n=True, force_grouping=True),
        )
        assert shown == expected
        # A typed date is read day first in both languages, never month first; the ISO form
        # of <input type=date> always.
        inputs = formats.get_format("DATE_INPUT_FORMATS")
        assert "%d/%m/%Y" in inputs and "%m/%d/%Y" not in inputs
        assert "%Y-%m-%d" in inputs
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.django_db
def test_the_english_case_list_shows_european_dates(world, client):
    import datetime

    from cases.models import Case

    case = world.cases["city_a"]
    Case.objects.filter(pk=case.pk).update(opened_on=datetime.date(2026, 2, 3))
    client.force_login(world.users["director_city_a"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("cases:list")).content.decode()
    assert "03/02/2026" in page and "02/03/2026" not in page
