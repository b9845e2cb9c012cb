"""Instruments as data: the shipped ones, validation of bad ones, versions that cannot change."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import translation

from risk.instruments import (
    InstrumentDataError,
    export_version,
    load_instrument,
    parse_instrument,
    read_instrument_file,
    shipped_instrument_files,
)
from risk.models import (
    AnswerOption,
    InstrumentVersion,
    Item,
    Level,
    ScoringRule,
    SectionKind,
    Threshold,
    VersionLocked,
    VersionStatus,
)
from risk.services import assessment_create, version_new_draft, version_publish

from .risk_factories import (
    CHECKLIST,
    CHILD,
    DANGER,
    add_party,
    answers_for,
    make_assessment,
    shipped,
)


@pytest.fixture(autouse=True)
def _english_messages():
    """The rules' messages are asserted in their English source form."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def shipped_data(code: str) -> dict:
    path = next(p for p in shipped_instrument_files() if p.stem == code)
    return read_instrument_file(path)


def small(**changes) -> dict:
    """A tiny valid weighted instrument: two items, yes weighs 2 and 3, scores 0-5."""
    data = {
        "code": "tiny",
        "version": 1,
        "scoring": "weighted_sum",
        "name": {"nl": "Klein", "en": "Small"},
        "options": [
            {"code": "yes", "label": {"nl": "Ja", "en": "Yes"}, "weight": 1},
            {"code": "no", "label": {"nl": "Nee", "en": "No"}, "weight": 0},
        ],
        "levels": [
            {"code": "low", "label": {"nl": "Laag", "en": "Low"}, "grade": "low"},
            {"code": "high", "label": {"nl": "Hoog", "en": "High"}, "grade": "high"},
        ],
        "thresholds": [
            {"min": 0, "max": 2, "level": "low"},
            {"min": 3, "max": 5, "level": "high"},
        ],
        "sections": [
            {
                "code": "s",
                "title": {"nl": "Vragen", "en": "Questions"},
                "items": [
                    {
                        "code": "a",
                        "text": {"nl": "Vraag a?", "en": "Question a?"},
                        "weights": {"yes": 2},
                    },
                    {
                        "code": "b",
                        "text": {"nl": "Vraag b?", "en": "Question b?"},
                        "weights": {"yes": 3},
                    },
                ],
            }
        ],
    }
    data.update(changes)
    return data


def problems(data) -> str:
    with pytest.raises(InstrumentDataError) as caught:
        parse_instrument(data)
    return "\n".join(caught.value.messages)


# --- the shipped instruments ---


def test_the_data_migration_loaded_the_three_shipped_instruments():
    checklist, danger, child = shipped(CHECKLIST), shipped(DANGER), shipped(CHILD)
    assert checklist.scoring_rule == ScoringRule.COUNT_YES
    assert (checklist.items.count(), checklist.min_score, checklist.max_score) == (24, 0, 24)
    assert [(t.min_score, t.max_score, t.level.code) for t in checklist.thresholds.all()] == [
        (0, 9, "standard"),
        (10, 13, "medium"),
        (14, 24, "high"),
    ]
    assert danger.scoring_rule == ScoringRule.WEIGHTED_SUM
    assert (danger.items.count(), danger.max_score) == (20, 35)
    assert [lv.code for lv in danger.levels.all()] == ["variable", "increased", "severe", "extreme"]
    assert [(t.min_score, t.max_score) for t in danger.thresholds.all()] == [
        (0, 7),
        (8, 13),
        (14, 17),
        (18, 35),
    ]
    assert child.scoring_rule == ScoringRule.JUDGEMENT
    assert child.max_score is None and not child.thresholds.exists()
    assert [s.kind for s in child.sections.all()] == [
        SectionKind.SIGNS,
        SectionKind.RISK_FACTORS,
        SectionKind.PROTECTIVE_FACTORS,
    ]
    for version in (checklist, danger, child):
        assert version.status == VersionStatus.PUBLISHED and version.published_at
        assert all(i.text_nl and i.text_en for i in version.items.all())
        # Only the top level suggests track 3.
        assert [lv.code for lv in version.levels.filter(suggests_escalation=True)] == [
            version.levels.order_by("-order")[0].code
        ]


def test_checklist_answers_are_yes_no_dont_know_and_dont_know_counts_as_not_yes():
    item = shipped(CHECKLIST).items.get(code="c01")
    options = {o.code: (o.weight, o.is_unknown) for o in item.options.all()}
    assert options == {"yes": (1, False), "no": (0, False), "unknown": (0, True)}


def test_loading_the_shipped_files_again_changes_nothing():
    before = InstrumentVersion.objects.count()
    for path in shipped_instrument_files():
        loaded = load_instrument(read_instrument_file(path))
        assert not loaded.created
    assert InstrumentVersion.objects.count() == before


def test_export_round_trips():
    for code in (CHECKLIST, DANGER, CHILD):
        spec = parse_instrument(export_version(shipped(code)))
        assert spec.code == code


# --- bad instruments are refused, saying what is wrong ---


def test_overlapping_thresholds_are_refused():
    data = small(
        thresholds=[{"min": 0, "max": 3, "level": "low"}, {"min": 3, "max": 5, "level": "high"}]
    )
    message = problems(data)
    assert "overlap" in message and "0-3" in message and "3-5" in message


def test_thresholds_with_a_gap_are_refused():
    data = small(
        thresholds=[{"min": 0, "max": 1, "level": "low"}, {"min": 3, "max": 5, "level": "high"}]
    )
    assert "gap: scores 2-2 have no level" in problems(data)


def test_thresholds_that_do_not_reach_the_highest_score_are_refused():
    data = small(
        thresholds=[{"min": 0, "max": 2, "level": "low"}, {"min": 3, "max": 4, "level": "high"}]
    )
    message = problems(data)
    assert "gap: scores 5-5 have no level" in message and "highest possible score is 5" in message


def test_thresholds_that_do_not_start_at_the_lowest_score_are_refused():
    data = small(
        thresholds=[{"min": 1, "max": 2, "level": "low"}, {"min": 3, "max": 5, "level": "high"}]
    )
    assert "gap: scores 0-0 have no level" in problems(data)


def test_thresholds_outside_the_possible_scores_are_refused():
    data = small(
        thresholds=[{"min": 0, "max": 2, "level": "low"}, {"min": 3, "max": 30, "level": "high"}]
    )
    assert "3-30 (high) reaches outside the possible scores 0-5" in problems(data)


def test_a_threshold_to_an_unknown_level_is_refused():
    data = small(
        thresholds=[{"min": 0, "max": 2, "level": "low"}, {"min": 3, "max": 5, "level": "extreme"}]
    )
    assert "unknown level code 'extreme'" in problems(data)


def test_thresholds_that_give_a_lower_level_for_a_higher_score_are_refused():
    data = small(
        thresholds=[{"min": 0, "max": 2, "level": "high"}, {"min": 3, "max": 5, "level": "low"}]
    )
    assert "gives a lower level" in problems(data)


def test_the_shipped_checklist_with_a_broken_band_is_refused():
    data = shipped_data(CHECKLIST)
    data["thresholds"][1]["max"] = 12  # 13 now has no level
    assert "gap: scores 13-13 have no level" in problems(data)


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(-1, "at least 0 (got -1)"), ("3", "got '3'"), (1.5, "got 1.5"), (True, "got True")],
)
def test_weights_must_be_whole_numbers_of_at_least_zero(weight, expected):
    data = small()
    data["sections"][0]["items"][0]["weights"] = {"yes": weight}
    message = problems(data)
    assert "sections[0].items[0].weights.yes" in message and expected in message


def test_duplicate_item_codes_are_refused():
    data = small()
    data["sections"][0]["items"][1]["code"] = "a"
    assert "item code 'a' is used twice" in problems(data)


def test_an_empty_section_is_refused():
    data = small()
    data["sections"].append({"code": "empty", "title": {"nl": "Leeg", "en": "Empty"}, "items": []})
    assert "section 'empty' is empty" in problems(data)


def test_a_level_grade_must_be_known_and_levels_go_up():
    data = small()
    data["levels"][0]["grade"] = "purple"
    assert "levels[0].grade: must be one of low, medium, high (got 'purple')" in problems(data)
    data = small()
    data["levels"][0]["grade"], data["levels"][1]["grade"] = "high", "low"
    assert "lower than the one before" in problems(data)


def test_count_yes_requires_yes_weighing_one():
    data = shipped_data(CHECKLIST)
    data["sections"][0]["items"][0]["weights"] = {"yes": 2}
    assert "item c01: with count_yes scoring" in problems(data)


def test_a_judgement_instrument_has_no_thresholds():
    data = shipped_data(CHILD)
    data["thresholds"] = [{"min": 0, "max": 0, "level": "low"}]
    assert "has no thresholds" in problems(data)


def test_unknown_keys_and_missing_texts_are_named():
    data = small(treshold=[])
    data["sections"][0]["items"][0]["text"] = {"nl": "Alleen Nederlands", "en": ""}
    message = problems(data)
    assert "unknown key 'treshold'" in message
    assert "sections[0].items[0].text: needs both a Dutch and an English text" in message


def test_every_problem_is_reported_at_once():
    data = small(
        thresholds=[{"min": 0, "max": 3, "level": "low"}, {"min": 3, "max": 5, "level": "nope"}]
    )
    data["sections"][0]["items"][1]["code"] = "a"
    assert len(problems(data).splitlines()) >= 2


def test_a_refused_instrument_stores_nothing():
    before = InstrumentVersion.objects.count()
    with pytest.raises(InstrumentDataError):
        load_instrument(small(thresholds=[{"min": 0, "max": 5, "level": "nope"}]))
    assert InstrumentVersion.objects.count() == before


# --- the management command ---


def test_load_instrument_command_loads_a_good_file(tmp_path, capsys):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(small()), encoding="utf-8")
    call_command("load_instrument", str(path))
    version = InstrumentVersion.objects.get(instrument__code="tiny")
    assert version.status == VersionStatus.PUBLISHED and version.max_score == 5
    call_command("load_instrument", str(path))
    assert "unchanged" in capsys.readouterr().out


def test_load_instrument_command_refuses_a_bad_file_with_the_reason(tmp_path):
    path = tmp_path / "bad.json"
    data = small(
        thresholds=[{"min": 0, "max": 1, "level": "low"}, {"min": 3, "max": 5, "level": "high"}]
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_instrument", str(path))
    assert "gap: scores 2-2 have no level" in str(caught.value)
    assert not InstrumentVersion.objects.filter(instrument__code="tiny").exists()


def test_load_instrument_command_refuses_invalid_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_instrument", str(path))


def test_a_published_version_number_cannot_be_loaded_with_other_content():
    load_instrument(small())
    changed = small()
    changed["thresholds"][0]["max"], changed["thresholds"][1]["min"] = 1, 2
    with pytest.raises(InstrumentDataError, match="already published"):
        load_instrument(changed)
    load_instrument({**changed, "version": 2})
    assert InstrumentVersion.objects.filter(instrument__code="tiny").count() == 2


# --- a used (or published) version cannot change ---


def test_a_used_version_cannot_be_changed_or_deleted(world):
    assessment = make_assessment(world.cases["city_a"])
    version = assessment.instrument_version
    version.intro_nl = "Andere uitleg"
    with pytest.raises(VersionLocked):
        version.save()
    item = version.items.first()
    item.text_nl = "Andere vraag"
    with pytest.raises(VersionLocked):
        item.save()
    option = AnswerOption.objects.get(item=item, code="yes")
    option_weight = option.weight
    option.weight = 5
    with pytest.raises(VersionLocked):
        option.save()
    threshold = version.thresholds.first()
    with pytest.raises(VersionLocked):
        threshold.delete()
    # Queryset deletes run in the collector's transaction: a savepoint keeps the test's usable.
    with pytest.raises(VersionLocked), transaction.atomic():
        AnswerOption.objects.filter(item=item, code="unknown").delete()
    with pytest.raises((VersionLocked, ProtectedError)), transaction.atomic():
        Level.objects.filter(version=version).delete()
    with pytest.raises(VersionLocked):
        Item.objects.create(
            version=version, section=version.sections.first(), code="extra", order=99
        )
    with pytest.raises((VersionLocked, ProtectedError)), transaction.atomic():
        InstrumentVersion.objects.filter(pk=version.pk).delete()
    version.refresh_from_db()
    assert version.items.count() == 24
    assert Threshold.objects.filter(version=version).count() == 3
    assert AnswerOption.objects.get(pk=option.pk).weight == option_weight
    assert AnswerOption.objects.filter(item=item).count() == 3


def test_publishing_a_new_version_is_the_way_to_change_an_instrument(world):
    make_assessment(world.cases["city_a"])
    published = shipped(CHECKLIST)
    draft = version_new_draft(version=published)
    assert (draft.number, draft.status) == (published.number + 1, VersionStatus.DRAFT)
    # A draft can change.
    threshold = draft.thresholds.get(min_score=14)
    threshold.min_score = 15
    threshold.save()
    with pytest.raises(ValidationError) as caught:
        version_publish(version=draft)
    assert "gap: scores 14-14 have no level" in " ".join(caught.value.messages)
    draft.thresholds.filter(min_score=10).update(max_score=14)
    version_publish(version=draft)
    assert shipped(CHECKLIST) == draft
    assert draft.status == VersionStatus.PUBLISHED
    # The version that was used keeps its content.
    assert published.thresholds.get(min_score=14).max_score == 24


def test_a_draft_version_cannot_be_used(world):
    draft = version_new_draft(version=shipped(CHECKLIST))
    case = world.cases["city_a"]
    party = add_party(case)
    with pytest.raises(ValidationError, match="published"):
        assessment_create(
            case=case,
            by=case.case_director,
            instrument_version=draft,
            assessed_on=case.opened_on,
            parties=[party],
            answers=answers_for(draft, yes=1),
        )


def test_the_admin_shows_published_versions_read_only(world, client):
    client.force_login(world.users["superuser"])
    version = shipped(CHECKLIST)
    response = client.get(f"/admin/risk/instrumentversion/{version.pk}/change/")
    assert response.status_code == 200
    assert b'name="intro_nl"' not in response.content  # read-only: no input
    draft = version_new_draft(version=version)
    response = client.get(f"/admin/risk/instrumentversion/{draft.pk}/change/")
    assert b'name="intro_nl"' in response.content


def test_admin_publish_action_validates(world, client):
    client.force_login(world.users["superuser"])
    client.cookies["django_language"] = "en"  # the message is asserted in English
    draft = version_new_draft(version=shipped(DANGER))
    Threshold.objects.filter(version=draft, min_score=18).update(min_score=19)
    response = client.post(
        "/admin/risk/instrumentversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert b"gap: scores 18-18 have no level" in response.content


def test_data_is_not_mutated_by_parsing():
    data = shipped_data(DANGER)
    before = copy.deepcopy(data)
    parse_instrument(data)
    assert data == before


def test_assessments_are_case_content_and_never_in_the_admin():
    from django.contrib import admin

    from risk.models import Answer, Assessment, JointAssessment, RiskDecision

    content = {Assessment, Answer, JointAssessment, RiskDecision}
    content |= {m.history.model for m in (Assessment, Answer, JointAssessment, RiskDecision)}
    assert not content & set(admin.site._registry)
