"""Query shapes PostgreSQL can plan (issue 20, part 2), and the access rules through them.

The permission condition reads the grant tables by permission id (no join to
``auth_permission`` by codename) as one ``IN (... UNION ALL ...)`` for filtering, or two
correlated ``EXISTS`` row by row; "my cases" is a union of directed and co-directed cases; the
list orders by never-null columns without ``NULLS LAST``. The SQL is asserted on the text of
the queries; the rules are attacked through both shapes, which must agree everywhere.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from access.parts import CasePart, ShareScope
from access.policy import (
    Action,
    directing_condition,
    is_permitted,
    permitted_case_condition,
    permitted_case_exists,
    restrict,
)
from cases.models import (
    BreakGlassAccess,
    Case,
    CaseAction,
    CaseShare,
    CaseUserObjectPermission,
    CoDirector,
    EntryKind,
    JournalEntry,
    Visibility,
)
from cases.selectors.board import deadline_board
from cases.selectors.lists import Scope, case_list
from cases.services import share_create
from cases.services.break_glass import break_glass_open
from partners.models import Organisation

from .access_rules import EXPECTED
from .conftest import whole_file_share
from .factories import make_case

pytestmark = pytest.mark.django_db

ACTIONS = (Action.VIEW, Action.CHANGE)


def _sql(queryset) -> str:
    return str(queryset.query)


def _by_both_shapes(user, action: Action, part: CasePart) -> tuple[set[int], set[int]]:
    """The cases ``user`` may ``action`` for ``part``, by the set shape and the row shape."""
    cases = Case.objects.all()
    by_set = set(
        cases.filter(permitted_case_condition(user, action, part=part)).values_list("pk", flat=True)
    )
    by_row = set(
        cases.filter(permitted_case_exists(user, action, part=part)).values_list("pk", flat=True)
    )
    return by_set, by_row


def _agree_everywhere(world) -> None:
    for user in world.users.values():
        for action in ACTIONS:
            for part in CasePart:
                by_set, by_row = _by_both_shapes(user, action, part)
                assert by_set == by_row, (user.username, action, part)


# --- the SQL ---


def test_the_permission_condition_reads_grants_by_id_in_one_union(world):
    director = world.users["director_city_a"]
    sql = _sql(restrict(Case.objects.all(), director))
    # No join to auth_permission, no lookup of it: its id is a constant of the statement.
    assert 'JOIN "auth_permission"' not in sql and '"auth_permission"' not in sql
    view = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    assert f'"permission_id" = {view.pk} ' in sql
    # One IN over a UNION ALL of the personal and the group grants, not an OR of two INs.
    assert sql.count('"cases_case"."id" IN (') == 1
    assert "UNION ALL" in sql
    assert not re.search(r"\) OR \"cases_case\".\"id\" IN \(", sql)


def test_the_row_shape_is_two_correlated_exists_without_codename_joins(world):
    director = world.users["director_city_a"]
    sql = _sql(Case.objects.filter(permitted_case_exists(director, Action.VIEW)))
    assert sql.count("EXISTS(") == 2
    assert 'JOIN "auth_permission"' not in sql
    assert '"content_object_id" = ("cases_case"."id")' in sql


def test_my_cases_is_a_union_of_directed_and_co_directed(world):
    director = world.users["director_city_a"]
    sql = _sql(case_list(user=director, scope=Scope.MINE))
    assert not re.search(r'"case_director_id" = \d+ OR', sql)
    directing = _sql(Case.objects.filter(directing_condition(director)))
    assert directing.count("UNION ALL") == 1
    assert '"cases_codirector"' in directing


def test_the_list_orders_by_never_null_columns_without_nulls_last(world):
    director = world.users["director_city_a"]
    sql = _sql(case_list(user=director))
    assert 'ORDER BY "cases_case"."opened_on" DESC, "cases_case"."id" DESC' in sql
    assert "NULLS LAST" not in sql
    # A column that may be empty still puts the empty ones last.
    by_place = _sql(case_list(user=director, filters={"sort": "municipality"}))
    assert "NULLS LAST" in by_place


def test_the_home_board_fetches_only_what_it_can_show(world, django_assert_max_num_queries):
    director = world.users["director_city_a"]
    case = world.cases["city_a"]
    today = timezone.localdate()
    for days in range(30):
        CaseAction.objects.create(
            case=case,
            description=f"Afspraak {days}",
            due_on=today - datetime.timedelta(days=days + 1),
            assignee_user=director,
            created_by=director,
        )
    full = deadline_board(user=director)
    limited = deadline_board(user=director, limit=5)
    assert limited.more and not full.more
    assert limited.items == full.items[:5]
    exact = deadline_board(user=director, limit=len(full.items))
    assert exact.items == full.items and not exact.more


# --- the rules, attacked through both shapes ---


def test_both_shapes_agree_with_the_hand_written_expectation(world):
    for username, expect in EXPECTED.items():
        user = world.users[username]
        by_set, by_row = _by_both_shapes(user, Action.VIEW, CasePart.SUMMARY)
        expected = {world.cases[key].pk for key in expect.views}
        assert by_set == by_row == expected, username
        by_set, by_row = _by_both_shapes(user, Action.CHANGE, CasePart.FILE)
        expected = {world.cases[key].pk for key in expect.changes}
        assert by_set == by_row == expected, username


def test_a_share_counts_only_while_open_and_for_its_scope(world):
    case = world.cases["city_b"]
    reader = world.users["director_caw_a"]
    share = share_create(
        case=case,
        organisation=world.orgs["caw_a"],
        by=world.users["director_city_b"],
        terms=whole_file_share(scope=ShareScope.SUMMARY_RISK),
    )
    for part, seen in [
        (CasePart.SUMMARY, True),
        (CasePart.RISK, True),
        (CasePart.JUDICIAL, False),
        (CasePart.FILE, False),
    ]:
        by_set, by_row = _by_both_shapes(reader, Action.VIEW, part)
        assert (case.pk in by_set) == (case.pk in by_row) == seen, part
    # A share never gives change access.
    assert case.pk not in _by_both_shapes(reader, Action.CHANGE, CasePart.SUMMARY)[0]
    _agree_everywhere(world)
    # Past its end date (the end date itself still counts), nothing, without any task.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CaseShare.objects.filter(pk=share.pk).update(starts_on=yesterday, ends_on=yesterday)
    assert not is_permitted(reader, case)
    assert case.pk not in _by_both_shapes(reader, Action.VIEW, CasePart.SUMMARY)[1]
    # Not started yet: nothing either.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    CaseShare.objects.filter(pk=share.pk).update(starts_on=tomorrow, ends_on=tomorrow)
    assert not is_permitted(reader, case)
    _agree_everywhere(world)
    # Open again, then ended: nothing.
    CaseShare.objects.filter(pk=share.pk).update(starts_on=yesterday, ends_on=tomorrow)
    assert is_permitted(reader, case)
    CaseShare.objects.filter(pk=share.pk).update(ended_at=timezone.now(), end_reason="revoked")
    assert not is_permitted(reader, case)
    _agree_everywhere(world)


def test_break_glass_reads_only_while_open_and_never_changes(world):
    director = world.users["director_caw_b"]
    case = world.cases["city_b"]
    access = break_glass_open(
        by=director,
        reference=case.reference,
        reason="Politie aan de lijn, dringend.",
        hours=1,
        link=lambda c: f"http://testserver/cases/{c.pk}/",
    )
    assert is_permitted(director, case)
    assert not is_permitted(director, case, Action.CHANGE)
    _agree_everywhere(world)
    past = timezone.now() - datetime.timedelta(minutes=1)
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        starts_at=past - datetime.timedelta(hours=1), ends_at=past
    )
    assert not is_permitted(director, case)
    _agree_everywhere(world)


def test_a_permission_of_another_model_with_the_same_codename_opens_nothing(world):
    """The grant must be the case's own ``view_case``: a grant row carrying a permission named
    alike for another model (a join by codename alone would have accepted it) opens nothing."""
    partner = world.users["partner_police_a"]
    case = world.cases["city_a"]
    lookalike = Permission.objects.create(
        codename="view_case",
        name="Look-alike",
        content_type=ContentType.objects.get_for_model(Organisation),
    )
    # guardian's save() refuses such a row; a bulk insert (or raw SQL) does not.
    CaseUserObjectPermission.objects.bulk_create(
        [CaseUserObjectPermission(user=partner, permission=lookalike, content_object=case)]
    )
    assert not is_permitted(partner, case)
    assert case.pk not in _by_both_shapes(partner, Action.VIEW, CasePart.SUMMARY)[0]
    _agree_everywhere(world)


def test_administrators_inactive_users_and_anonymous_get_nothing_even_with_grants(world):
    from django.contrib.auth.models import AnonymousUser

    case = world.cases["city_a"]
    view = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    for username in ("admin_city_a", "superuser"):
        user = world.users[username]
        CaseUserObjectPermission.objects.create(user=user, permission=view, content_object=case)
        assert not restrict(Case.objects.all(), user).exists()
        assert not is_permitted(user, case)
    director = world.users["director_city_a"]
    director.is_active = False
    assert not restrict(Case.objects.all(), director).exists()
    assert not restrict(Case.objects.all(), AnonymousUser()).exists()


def test_the_journal_and_co_direction_rules_hold_through_the_new_shapes(world):
    """Extra conditions ride on the row shape: team-only journal entries need change access,
    a co-director sees the case in "my cases" and may change it through the personal grant."""
    case = world.cases["city_a_shared"]
    liaison = world.users["liaison_parket_a"]
    director = world.users["director_city_a"]
    team, everyone = (
        JournalEntry.objects.create(
            case=case, kind=EntryKind.NOTE, text="-", visibility=visibility, author=director
        )
        for visibility in (Visibility.TEAM, Visibility.ALL)
    )
    entries = restrict(JournalEntry.objects.filter(case=case), liaison)
    assert "EXISTS(" in _sql(entries)
    seen = set(entries.values_list("pk", flat=True))
    assert everyone.pk in seen and team.pk not in seen
    assert team.pk in set(
        restrict(JournalEntry.objects.filter(case=case), director).values_list("pk", flat=True)
    )
    director_b = world.users["director_city_b"]
    mine = case_list(user=director_b, scope=Scope.MINE)
    assert case.pk not in set(mine.values_list("pk", flat=True))
    CoDirector.objects.create(case=case, user=director_b)
    # A co-director without a grant is in "mine" only if they may see it: restrict decides.
    assert case.pk not in set(mine.values_list("pk", flat=True))
    change = Permission.objects.get(content_type__app_label="cases", codename="change_case")
    view = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    for permission in (view, change):
        CaseUserObjectPermission.objects.create(
            user=director_b, permission=permission, content_object=case
        )
    assert case.pk in set(mine.values_list("pk", flat=True))
    assert is_permitted(director_b, case, Action.CHANGE)
    own = make_case(director_b)
    assert {case.pk, own.pk} <= set(mine.values_list("pk", flat=True))


# --- the list's pages (issue 20, part 2 follow-up): the shape per page, the same rows ---


def _shares_of_every_scope(world) -> None:
    """Shares whose scope leaves out the rest of the file (a case is then visible, its overdue
    count not) next to a whole-file share: the list's shapes must tell them apart alike."""
    for case_key, org_key, scope in (
        ("city_b", "caw_a", ShareScope.SUMMARY),
        ("city_a", "parket_b", ShareScope.SUMMARY_RISK),
        ("city_b", "parket_a", ShareScope.WHOLE_FILE),
    ):
        case = world.cases[case_key]
        share_create(
            case=case,
            organisation=world.orgs[org_key],
            by=case.case_director,
            terms=whole_file_share(scope=scope),
        )


def _columns(cases) -> list[tuple]:
    return [(c.pk, c.overdue_actions, c.shown_repeat, c.label) for c in cases]


@pytest.mark.parametrize(("walk_from", "walk_depth"), [(0, 2), (0, 0), (10**6, 10**6)])
def test_every_page_shape_gives_the_rows_of_the_list(world, monkeypatch, walk_from, walk_depth):
    """Walked from the front, read backwards from the end, or joined as a set: each page holds
    exactly the rows (and columns) of the list's own slice, for every user, tab and sort."""
    from cases.selectors import lists

    monkeypatch.setattr(lists, "WALK_FROM", walk_from)
    monkeypatch.setattr(lists, "WALK_DEPTH", walk_depth)
    _shares_of_every_scope(world)
    for user in world.users.values():
        for scope in Scope:
            for filters in ({}, {"sort": "registered"}, {"sort": "-track"}, {"repeat": "no"}):
                whole = lists.case_list(user=user, scope=scope, filters=filters)
                total = whole.count()
                expected = _columns(whole)
                for offset in range(0, max(total, 1), 2):
                    page = lists.case_list_page(
                        user=user,
                        scope=scope,
                        filters=filters,
                        search="",
                        offset=offset,
                        limit=2,
                        total=total,
                    )
                    assert _columns(page) == expected[offset : offset + 2], (
                        user.username,
                        scope,
                        filters,
                        offset,
                    )


def test_the_row_shapes_of_the_list_agree_with_the_set_shapes(world):
    from access.policy import restrict_rows, visible_repeat_condition, visible_repeat_exists

    _shares_of_every_scope(world)
    for user in world.users.values():
        for action in ACTIONS:
            by_set = set(restrict(Case.objects.all(), user, action).values_list("pk", flat=True))
            by_row = set(
                restrict_rows(Case.objects.all(), user, action).values_list("pk", flat=True)
            )
            assert by_set == by_row, (user.username, action)
        repeats = set(
            Case.objects.filter(visible_repeat_condition(user)).values_list("pk", flat=True)
        )
        assert repeats == set(
            Case.objects.filter(visible_repeat_exists(user)).values_list("pk", flat=True)
        )
    # Case children too, with their model's own rule (a journal entry for the team only).
    for user in world.users.values():
        for model in (JournalEntry, CaseAction):
            for action in ACTIONS:
                by_set = set(
                    restrict(model.objects.all(), user, action).values_list("pk", flat=True)
                )
                by_row = set(
                    restrict_rows(model.objects.all(), user, action).values_list("pk", flat=True)
                )
                assert by_set == by_row, (user.username, model, action)


def test_the_permission_ids_are_read_again_after_a_migrate(world):
    from access import policy

    director = world.users["director_city_a"]
    view = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    policy._PERMISSION_IDS["view_case"] = view.pk + 1000  # as if the rows were made anew
    policy.forget_permission_ids()
    assert policy._PERMISSION_IDS["view_case"] == view.pk
    assert "change_case" in policy._PERMISSION_IDS  # both in the same lookup
    policy._PERMISSION_IDS.clear()
    try:
        # Read on first use when not known (both in one lookup), then a constant.
        assert f'"permission_id" = {view.pk} ' in _sql(restrict(Case.objects.all(), director))
        assert policy._PERMISSION_IDS["view_case"] == view.pk
        assert "change_case" in policy._PERMISSION_IDS
    finally:
        policy.forget_permission_ids()


def test_a_page_of_a_large_tab_walks_the_index_and_the_count_stays_a_set(
    world, monkeypatch, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.selectors import lists

    director = world.users["director_city_a"]
    whole = lists.case_list(user=director, scope=Scope.ORGANISATION, filters={})
    total = whole.count()
    assert total > 1
    assert "UNION ALL" in _sql(whole) and "EXISTS(" not in _sql(whole.values("pk"))

    def page_sql(offset: int, filters) -> str:
        with CaptureQueriesContext(connection) as ctx:
            lists.case_list_page(
                user=director,
                scope=Scope.ORGANISATION,
                filters=filters,
                search="",
                offset=offset,
                limit=1,
                total=total,
            )
        assert len(ctx.captured_queries) == 1  # the ids and the rows in one statement
        return ctx.captured_queries[0]["sql"]

    monkeypatch.setattr(lists, "WALK_FROM", 0)
    walked = page_sql(0, {})
    # The ids are a LIMITed subquery that checks permission row by row (no UNION ALL of grants).
    assert "LIMIT 1)" in walked and "UNION ALL" not in walked
    # A sort no index gives joins the user's set and sorts it.
    assert "UNION ALL" in page_sql(0, {"sort": "track"})
    monkeypatch.setattr(lists, "WALK_FROM", 10**6)
    assert "UNION ALL" in page_sql(0, {})
    # An empty tab asks nothing more.
    with django_assert_num_queries(0):
        assert (
            lists.case_list_page(
                user=director,
                scope=Scope.ORGANISATION,
                filters={},
                search="",
                offset=0,
                limit=25,
                total=0,
            )
            == []
        )


def test_the_application_switches_jit_off_on_postgresql():
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert "-c jit=off" in settings.DATABASES["default"]["OPTIONS"]["options"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_a_reading_request_builds_each_permission_condition_once_and_keeps_none_after(world):
    from access import policy

    director = world.users["director_city_a"]
    partner = world.users["director_city_b"]
    outside = permitted_case_exists(director, Action.VIEW)
    assert permitted_case_exists(director, Action.VIEW) is not outside  # built per call
    with policy.conditions_kept():
        kept = permitted_case_exists(director, Action.VIEW)
        assert permitted_case_exists(director, Action.VIEW) is kept
        # Another user, action, path or part is another condition.
        assert permitted_case_exists(partner, Action.VIEW) is not kept
        assert permitted_case_exists(director, Action.CHANGE) is not kept
        assert permitted_case_exists(director, Action.VIEW, "case_id") is not kept
        assert directing_condition(director) is directing_condition(director)
        # Reused in several queries, the condition gives each the same rows as a fresh one.
        by_kept = set(Case.objects.filter(kept).values_list("pk", flat=True))
        again = set(Case.objects.filter(kept).values_list("pk", flat=True))
        assert (
            by_kept
            == again
            == set(restrict(Case.objects.all(), director).values_list("pk", flat=True))
        )
    assert policy._REQUEST_CONDITIONS.get() is None
    assert permitted_case_exists(director, Action.VIEW) is not permitted_case_exists(
        director, Action.VIEW
    )


def test_the_count_of_every_tab_is_the_count_of_its_list(world):
    from django.contrib.auth.models import AnonymousUser

    from cases.selectors.lists import case_count, scopes_for

    _shares_of_every_scope(world)
    # A revoked personal grant: each shape must count without it alike.
    revoked = CaseUserObjectPermission.objects.filter(user=world.users["director_city_a"]).first()
    if revoked is not None:
        revoked.delete()
    for user in world.users.values():
        for scope in [None, *scopes_for(user)]:
            for filters in ({}, {"overdue": "yes"}, {"repeat": "no", "track": "1"}):
                expected = case_list(user=user, scope=scope, filters=filters).count()
                assert case_count(user=user, scope=scope, filters=filters) == expected, (
                    user.username,
                    scope,
                    filters,
                )
    assert case_count(user=AnonymousUser(), scope=Scope.MINE) == 0  # type: ignore[arg-type]
