"""The scale benchmark (benchmarks/scale.py) cannot rot: its builder makes a tiny region with
the shape and the grants it promises, and one round of its measurements runs against the real
views, which must answer 200 with a constant number of queries."""

import pytest
from django.utils import timezone

from access.policy import Action, is_permitted, restrict
from benchmarks import scale_data, scale_measure
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseParty,
    CaseShare,
    CaseUserObjectPermission,
    JournalEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    region = scale_data.make_region(scale=0.1)
    scale_data.add_cases(region, 60)
    return region


def test_the_builder_makes_the_promised_shape(region):
    ids = set(Case.objects.filter(reference__regex=r"^\d{4}-\d{6}$").values_list("pk", flat=True))
    assert len(ids) == 60
    parties = CaseParty.objects.filter(case_id__in=ids)
    cases_with_people = Case.objects.filter(pk__in=ids, is_anonymous_consult=False).count()
    assert 2 * cases_with_people <= parties.count() <= 4 * cases_with_people
    assert JournalEntry.objects.filter(case_id__in=ids).count() == 600
    # Every case is granted to its organisation's group and its director, view and change.
    for case in Case.objects.filter(pk__in=ids).select_related("owner_organisation"):
        group = CaseGroupObjectPermission.objects.filter(
            content_object=case, group=case.owner_organisation.group, share__isnull=True
        )
        assert group.count() == 2
        assert (
            CaseUserObjectPermission.objects.filter(
                content_object=case, user_id=case.case_director_id
            ).count()
            == 2
        )
    # Shares carry a ground, a scope and an end; an open one has its grant, an ended none.
    for share in CaseShare.objects.filter(case_id__in=ids):
        granted = CaseGroupObjectPermission.objects.filter(share=share).exists()
        assert granted == (share.ended_at is None)
        assert share.scope and share.ground and share.ends_on >= share.starts_on
    # The grants mean what access.policy says, and the baseline counts the same rows.
    user = region.user
    own = Case.objects.filter(owner_organisation_id=user.organisation_id).exclude(
        case_director=user
    )
    first = own.first()
    assert first is not None
    assert is_permitted(user, first, Action.CHANGE)
    visible = restrict(Case.objects.all(), user)
    assert set(visible.values_list("owner_organisation_id", flat=True)) >= {user.organisation_id}
    assert (
        scale_measure.baseline_total(user, "organisation")
        == own.count()
        + Case.objects.filter(
            owner_organisation_id=user.organisation_id, case_director=user
        ).count()
    )


def test_one_round_of_measurements(region, tmp_path):
    one = scale_measure.measure_round(
        60, region.user, repeat=0, year=timezone.localdate().year - 1, figures=False, warm_up=0
    )
    names = [line.name for line in one.lines]
    assert scale_measure.LIST_LINES["mine", True] in names
    assert scale_measure.LIST_LINES["organisation", True] in names
    assert scale_measure.STEERING in names
    assert all(line.queries for line in one.lines)
    assert all(line.app.median > 0 for line in one.lines)
    plans = one.explains[scale_measure.LIST_LINES["organisation", True]]
    assert "actual time" in plans and "cases_case" in plans
    # The figures' raw pass is valid SQL on this schema.
    assert scale_measure.figures_baseline(timezone.localdate().year - 1)()
    table = scale_measure.report([one], repeat=0)
    assert scale_measure.LIST_LINES["mine", True] in table
    (written,) = scale_measure.write_explains([one], tmp_path)
    assert "EXPLAIN" in written.read_text()
