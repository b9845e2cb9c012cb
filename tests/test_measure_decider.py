"""Who decided a measure or its extension is an organisation from the directory (issue 17,
part 5), and migration cases/0026 turns the free text typed before into one without loss."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from cases.models import Measure, MeasureExtension, MeasureKind
from cases.services import measure_add

from .test_trajectory import iso, today, url

MIGRATION = importlib.import_module("cases.migrations.0026_measure_decider_organisation")
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(world, client):
    client.force_login(world.users["director_city_a"])
    return world.users["director_city_a"]


@pytest.fixture
def case(world):
    return world.cases["city_a_shared"]


def _measure_data(decided_by: object) -> dict[str, object]:
    return {
        "kind": MeasureKind.RESTRAINING_ORDER,
        "starts_on": iso(today() - DAY),
        "ends_on": iso(today() + 13 * DAY),
        "decided_by": decided_by,
    }


def test_a_measure_records_the_deciding_organisation(client, director, world, case):
    parket = world.orgs["parket_a"]
    response = client.post(url("measure_add", case), _measure_data(parket.pk))
    assert response.status_code == 302
    measure = Measure.objects.filter(case=case).latest("id")
    assert (measure.decided_by, measure.decider) == (parket, parket.name)


@pytest.mark.parametrize("value", ["Procureur des Konings", "999999"])
def test_free_text_or_an_unknown_organisation_is_refused_in_dutch(client, director, case, value):
    before = Measure.objects.filter(case=case).count()
    with_dutch = {"HTTP_ACCEPT_LANGUAGE": "nl"}
    response = client.post(url("measure_add", case), _measure_data(value), **with_dutch)
    assert response.status_code == 200
    assert response.context["form"].errors["decided_by"] == [
        "Selecteer een geldige keuze. Deze keuze is niet beschikbaar."
    ]
    assert Measure.objects.filter(case=case).count() == before


def test_an_inactive_organisation_is_refused_by_the_service(world, director, case):
    parket = world.orgs["parket_b"]
    parket.is_active = False
    parket.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as refused:
        measure_add(
            case=case,
            by=director,
            kind=MeasureKind.CONDITIONS,
            starts_on=today(),
            decided_by=parket,
        )
    assert "decided_by" in refused.value.message_dict
    assert not Measure.objects.filter(case=case, decided_by=parket).exists()


def test_the_migration_links_typed_names_and_keeps_every_other_text(world, director, case):
    parket = world.orgs["parket_a"]
    typed = {
        "exact": f"  {parket.name.upper()} ",
        "unknown": "de procureur",
        "empty": "",
    }
    measures = {}
    for key, text in typed.items():
        measure = measure_add(
            case=case, by=director, kind=MeasureKind.CONDITIONS, starts_on=today()
        )
        Measure.objects.filter(pk=measure.pk).update(decided_by_text=text)
        measures[key] = measure
    extension = MeasureExtension.objects.create(
        measure=measures["unknown"],
        decided_on=today(),
        previous_end=today() + DAY,
        new_end=today() + 2 * DAY,
        decided_by_text=parket.name,
    )

    MIGRATION.link_organisations(apps, None)

    got = {
        key: Measure.objects.values_list("decided_by", "decided_by_text").get(pk=m.pk)
        for key, m in measures.items()
    }
    assert got == {
        "exact": (parket.pk, ""),
        "unknown": (None, "de procureur"),
        "empty": (None, ""),
    }
    extension.refresh_from_db()
    assert (extension.decided_by, extension.decided_by_text) == (parket, "")

    # Backwards, the organisation's name becomes the text again: nothing is lost either way.
    MIGRATION.unlink_organisations(apps, None)
    assert Measure.objects.get(pk=measures["exact"].pk).decided_by_text == parket.name


def test_the_extension_page_shows_who_decided(client, director, world, case):
    parket = world.orgs["parket_a"]
    measure = measure_add(
        case=case,
        by=director,
        kind=MeasureKind.CONDITIONS,
        starts_on=today() - DAY,
        ends_on=today() + 10 * DAY,
        decided_by=parket,
    )
    Measure.objects.filter(pk=measure.pk).update(decided_by=None, decided_by_text="oud: rechter")
    response = client.get(url("measure_extend", case, measure_pk=measure.pk))
    assert response.status_code == 200
    assert "oud: rechter" in response.content.decode()
