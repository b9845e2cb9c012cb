"""Move a person's address, its "confidential" flag and their safe contact from the shared
person to their involvements (``CaseParty``), with their history. Nothing is lost.

Which involvements get a value:

* an address that is not confidential: every involvement of the person (everyone who could see
  one of those cases saw it before, so nobody learns anything new);
* a confidential address and a safe contact: the involvements in the cases that the author of
  the value (who last set it, from the person's history) may change, i.e. the case team that
  entered it. Before, the team of *any* case the person was in saw them (the leak this
  migration ends: a person linked into another organisation's case showed that organisation
  the victim's safe address). When the author may change none of the person's cases any more
  (they left, the case moved) or is unknown, the involvement in the case where the person was
  registered first keeps it, so no value is lost.

History: every historical row of those involvements gets the values as they were at its moment
(under the same rule, with the author of each value), and each change of the values on the
person's history becomes a historical row of each involvement that existed then ("~", same
moment and user, change reason below) when what that involvement shows changed. The person's
own historical rows lose these columns in 0016, as the person does.

Running it again changes nothing (the values are already on the involvements; the inserted rows
are recognised by their change reason and not made twice). Backwards: each person gets the
values of their first involvement that holds any (0016 backwards re-creates the columns).
"""

from collections import defaultdict
from typing import Any

from django.db import migrations

REASON = "situation moved from the person (0015)"
ADDRESS = ("address", "address_confidential")
CONTACT = ("safe_contact",)
GROUPS = (ADDRESS, CONTACT)
BLANK: dict[str, Any] = {"address": "", "address_confidential": False, "safe_contact": ""}
FIELDS = (*ADDRESS, *CONTACT)

# group -> (values, author id)
State = dict[tuple[str, ...], tuple[tuple[Any, ...], int | None]]


def _values(obj: Any, group: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in group)


def _timeline(records: list[Any]) -> list[tuple[Any, int | None, State]]:
    """(moment, user, state after this record) for each historical row of a person, where the
    author of a group of values is the user of the last row that changed it."""
    states = []
    state: State = {}
    for record in records:
        new: State = {}
        for group in GROUPS:
            values = _values(record, group)
            known = state.get(group)
            author = known[1] if known and known[0] == values else record.history_user_id
            new[group] = (values, author)
        state = new
        states.append((record.history_date, record.history_user_id, state))
    return states


def _state_at(timeline: list[tuple[Any, int | None, State]], moment: Any, final: State) -> State:
    if not timeline:
        return final
    state = timeline[0][2]  # a row from before the person's first record: as first recorded
    for when, _user, later in timeline:
        if when > moment:
            break
        state = later
    return state


class _Teams:
    """Per author: the cases they may change (personal or group ``change_case`` grants)."""

    def __init__(self, apps: Any) -> None:
        self.by_user = apps.get_model("cases", "CaseUserObjectPermission").objects
        self.by_group = apps.get_model("cases", "CaseGroupObjectPermission").objects
        self.memberships = apps.get_model("accounts", "User").groups.through.objects
        self.cache: dict[int, set[int]] = {}

    def cases(self, user_id: int | None) -> set[int]:
        if user_id is None:
            return set()
        if user_id not in self.cache:
            groups = self.memberships.filter(user_id=user_id).values("group_id")
            mine = self.by_user.filter(user_id=user_id, permission__codename="change_case")
            theirs = self.by_group.filter(group_id__in=groups, permission__codename="change_case")
            self.cache[user_id] = set(mine.values_list("content_object_id", flat=True)) | set(
                theirs.values_list("content_object_id", flat=True)
            )
        return self.cache[user_id]


def _situation(party: Any, parties: list[Any], state: State, teams: _Teams) -> dict[str, Any]:
    """What this involvement shows under the rule of the module docstring."""
    result = dict(BLANK)
    first = parties[0]
    for group, (values, author) in state.items():
        named = dict(zip(group, values, strict=True))
        confidential = group == CONTACT or bool(named["address_confidential"])
        if confidential:
            team = teams.cases(author)
            home = [p.pk for p in parties if p.case_id in team] or [first.pk]
            if party.pk not in home:
                continue
        result.update(named)
    return result


def move_situation(apps: Any, schema_editor: Any = None) -> None:
    Person = apps.get_model("cases", "Person")
    HistoricalPerson = apps.get_model("cases", "HistoricalPerson")
    CaseParty = apps.get_model("cases", "CaseParty")
    HistoricalCaseParty = apps.get_model("cases", "HistoricalCaseParty")
    copied = [f.attname for f in HistoricalCaseParty._meta.concrete_fields if f.attname != "history_id"]
    teams = _Teams(apps)
    parties_of: dict[int, list[Any]] = defaultdict(list)
    for party in CaseParty.objects.order_by("pk"):
        parties_of[party.person_id].append(party)
    for person in Person.objects.filter(pk__in=list(parties_of)).order_by("pk"):
        parties = parties_of[person.pk]
        records = list(
            HistoricalPerson.objects.filter(id=person.pk).order_by("history_date", "history_id")
        )
        timeline = _timeline(records)
        last: State = timeline[-1][2] if timeline else {}
        final: State = {
            group: (
                _values(person, group),
                last[group][1] if group in last and last[group][0] == _values(person, group) else None,
            )
            for group in GROUPS
        }
        for party in parties:
            CaseParty.objects.filter(pk=party.pk).update(
                **_situation(party, parties, final, teams)
            )
        _move_history(HistoricalCaseParty, copied, parties, timeline, final, teams)


def _move_history(
    HistoricalCaseParty: Any,
    copied: list[str],
    parties: list[Any],
    timeline: list[tuple[Any, int | None, State]],
    final: State,
    teams: _Teams,
) -> None:
    changes = [
        (when, user, state)
        for i, (when, user, state) in enumerate(timeline)
        if i > 0 and any(state[g][0] != timeline[i - 1][2][g][0] for g in GROUPS)
    ]
    for party in parties:
        rows = list(
            HistoricalCaseParty.objects.filter(id=party.pk).order_by("history_date", "history_id")
        )
        made = {r.history_date for r in rows if r.history_change_reason == REASON}
        for row in rows:
            if row.history_change_reason == REASON:
                continue
            situation = _situation(party, parties, _state_at(timeline, row.history_date, final), teams)
            HistoricalCaseParty.objects.filter(pk=row.pk).update(**situation)
            for name, value in situation.items():
                setattr(row, name, value)
        for when, user, state in changes:
            if when in made:
                continue
            before = [r for r in rows if r.history_date <= when]
            if not before or before[-1].history_type == "-":
                continue  # not in this case at that moment
            previous = before[-1]
            situation = _situation(party, parties, state, teams)
            if all(getattr(previous, name) == situation[name] for name in FIELDS):
                continue  # nothing this case shows changed
            values = {name: getattr(previous, name) for name in copied}
            values.update(
                situation,
                history_date=when,
                history_type="~",
                history_user_id=user,
                history_change_reason=REASON,
            )
            row = HistoricalCaseParty.objects.create(**values)
            rows.append(row)
            rows.sort(key=lambda r: (r.history_date, r.pk))


def move_back(apps: Any, schema_editor: Any = None) -> None:
    Person = apps.get_model("cases", "Person")
    CaseParty = apps.get_model("cases", "CaseParty")
    for person in Person.objects.order_by("pk"):
        for party in CaseParty.objects.filter(person_id=person.pk).order_by("pk"):
            if party.address or party.safe_contact or party.address_confidential:
                Person.objects.filter(pk=person.pk).update(
                    **{name: getattr(party, name) for name in FIELDS}
                )
                break


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_situation_fields_on_involvement"),
    ]

    operations = [
        migrations.RunPython(move_situation, move_back, elidable=False),
    ]
