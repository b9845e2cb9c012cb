"""Risk instruments declare their scope (issue 18, part 4): the relationship contexts and the
ages they are made for. A use outside it asks for a reason, which the assessment keeps and
shows; what is not recorded does not count against a use."""

import copy
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import AgeBand, Person, RelationshipContext
from risk.instruments import (
    InstrumentDataError,
    checksum_of,
    load_instrument,
    parse_instrument,
    read_instrument_file,
    shipped_instrument_files,
)
from risk.models import Assessment, Instrument

from .risk_factories import CHECKLIST, CHILD, add_party, answers_for, make_assessment, shipped

pytestmark = pytest.mark.django_db


def _file(code: str) -> dict:
    path = next(p for p in shipped_instrument_files() if p.stem == code)
    return read_instrument_file(path)


def _born(party, years: int, *, band: str = AgeBand.UNKNOWN):
    today = timezone.localdate()
    Person.objects.filter(pk=party.person_id).update(
        date_of_birth=None if band != AgeBand.UNKNOWN else today.replace(year=today.year - years),
        age_band=band,
    )
    party.person.refresh_from_db()
    return party


def _contexts(case, *codes):
    case.relationship_contexts.set(RelationshipContext.objects.filter(code__in=codes))


def test_the_shipped_instruments_declare_their_scope():
    checklist = Instrument.objects.get(code=CHECKLIST)
    assert (checklist.scope_contexts, checklist.scope_min_age, checklist.scope_max_age) == (
        ["partner", "ex_partner"],
        18,
        None,
    )
    danger = Instrument.objects.get(code="danger-scale-20")
    assert danger.scope_contexts == ["partner", "ex_partner"]
    child = Instrument.objects.get(code=CHILD)
    assert (child.scope_contexts, child.scope_min_age, child.scope_max_age) == ([], None, 17)


def test_the_scope_is_validated_and_is_no_part_of_the_version():
    data = _file(CHECKLIST)
    bad = copy.deepcopy(data)
    bad["scope"] = {"contexts": ["partner", "neighbours"], "min_age": 30, "max_age": 20, "x": 1}
    with pytest.raises(InstrumentDataError) as refused:
        parse_instrument(bad)
    problems = " ".join(refused.value.messages)
    assert "neighbours" in problems
    assert "'min_age' (30) is hoger dan 'max_age' (20)" in problems
    assert "onbekende sleutel 'x'" in problems
    # Declaring or changing the scope makes no new version: the published one is kept.
    changed = copy.deepcopy(data)
    changed["scope"] = {"contexts": ["partner"]}
    assert checksum_of(changed) == checksum_of(data)
    before = shipped(CHECKLIST)
    loaded = load_instrument(changed)
    assert not loaded.created and loaded.version == before
    assert Instrument.objects.get(code=CHECKLIST).scope_contexts == ["partner"]
    assert Instrument.objects.get(code=CHECKLIST).scope_min_age is None


def test_the_partner_checklist_for_an_elderly_parents_case_asks_for_a_reason(world):
    case = world.cases["city_a"]
    _contexts(case, "child_parent", "elder")
    mother = _born(add_party(case), 68)
    version = shipped(CHECKLIST)
    before = Assessment.objects.filter(case=case).count()
    # The message in Dutch, whatever language an earlier test of this worker left active.
    with translation.override("nl"), pytest.raises(ValidationError) as asked:
        make_assessment(case, parties=[mother], answers=answers_for(version, yes=3))
    message = " ".join(asked.value.message_dict["scope_reason"])
    assert "Partnergeweld, Ex-partnergeweld" in message
    assert "is geen relatiecontext waarvoor het gemaakt is" in message
    assert Assessment.objects.filter(case=case).count() == before

    assessment = make_assessment(
        case,
        parties=[mother],
        answers=answers_for(version, yes=3),
        scope_reason="  Geen instrument voor ouderenmis(be)handeling; als houvast gebruikt. ",
    )
    assert assessment.scope_reason == (
        "Geen instrument voor ouderenmis(be)handeling; als houvast gebruikt."
    )


def test_within_the_scope_no_reason_is_asked_or_kept(world):
    case = world.cases["city_a"]
    _contexts(case, "partner")
    victim = _born(add_party(case), 35)
    assessment = make_assessment(case, parties=[victim], scope_reason="Niet nodig")
    assert assessment.scope_reason == ""
    # Nothing recorded (no context, no age): nothing counts against the use.
    other = world.cases["caw_a"]
    assert make_assessment(other, parties=[add_party(other)]).scope_reason == ""


@pytest.mark.parametrize(
    ("years", "band", "outside"),
    [
        (15, AgeBand.UNKNOWN, True),  # a child: the checklist is for adults
        (18, AgeBand.UNKNOWN, False),
        (0, AgeBand.AGE_12_17, True),  # only a band, wholly under 18
        (0, AgeBand.AGE_18_24, False),
    ],
)
def test_the_ages_of_the_people_assessed_count(world, years, band, outside):
    case = world.cases["city_a"]
    _contexts(case, "partner")
    party = _born(add_party(case), years, band=band)
    if outside:
        with pytest.raises(ValidationError):
            make_assessment(case, parties=[party])
    else:
        assert make_assessment(case, parties=[party]).scope_reason == ""


def test_the_child_safety_instrument_for_an_adult_asks_for_a_reason(world):
    case = world.cases["city_a"]
    adult = _born(add_party(case), 40)
    version = shipped(CHILD)
    level = version.levels.order_by("order").first()
    extra: dict[str, Any] = {"level": level, "judgement_reason": "Oordeel"}
    with pytest.raises(ValidationError):
        make_assessment(case, code=CHILD, parties=[adult], answers=answers_for(version), **extra)
    child = _born(add_party(case), 9)
    assessment = make_assessment(
        case, code=CHILD, parties=[child], answers=answers_for(version), **extra
    )
    assert assessment.scope_reason == ""


def test_the_form_asks_for_the_reason_and_the_assessment_page_shows_it(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    _contexts(case, "child_parent", "elder")
    mother = _born(add_party(case), 68)
    version = shipped(CHECKLIST)
    fill = reverse("risk:fill", kwargs={"pk": case.pk, "version_pk": version.pk})
    page = client.get(fill).content.decode()
    assert 'name="scope_reason"' in page
    assert "Dit instrument is gemaakt voor: Partnergeweld, Ex-partnergeweld" in page
    data = {
        "assessed_on": timezone.localdate().isoformat(),
        "parties": [mother.pk],
        **{f"item_{code}": answer for code, answer in answers_for(version, yes=2).items()},
    }
    before = set(Assessment.objects.filter(case=case).values_list("pk", flat=True))
    response = client.post(fill, data)
    assert response.status_code == 200
    assert "Geef de reden om het toch te gebruiken." in response.content.decode()
    assert set(Assessment.objects.filter(case=case).values_list("pk", flat=True)) == before

    data["scope_reason"] = "Geen instrument voor deze situatie; als houvast gebruikt."
    response = client.post(fill, data)
    assert response.status_code == 302
    assessment = Assessment.objects.filter(case=case).exclude(pk__in=before).get()
    page = client.get(response["Location"]).content.decode()
    assert "Gebruikt buiten het bereik" in page
    assert "Geen instrument voor deze situatie; als houvast gebruikt." in page
    assert assessment.scope_reason.startswith("Geen instrument")
