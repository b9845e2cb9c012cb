"""The client system: people in a case, their roles and relations, and repeat detection."""

import datetime
import operator
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access.policy import Action, restrict
from accounts.models import User
from common.dates import DateKind, add_months, date_problem
from common.history import attribute
from common.versioning import locked_for_update, save_versioned

from ..models import (
    AgeBand,
    Case,
    CaseParty,
    EventKind,
    FamilyPosition,
    Gender,
    PartyRelation,
    Person,
    RelationKind,
    RepeatMatch,
    ViolenceRole,
    role_condition,
)
from .events import record_event
from .hits import notify_hits

# Who a person is, shared by every case they are in (name_key and version are derived).
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "age_band",
    "gender",
    "language",
    "interpreter_needed",
)
# Identity: what makes two cases' people the same person (repeats, duplicates). A correction of
# these by someone who may not change every case showing the person stays with their cases
# (see case_party_update).
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth", "age_band", "gender")
# The person's situation in one case, kept on the involvement (CaseParty): never carried into
# another case by a link. The confidential ones among them are declared in access.policy.
SITUATION_FIELDS = ("address", "address_confidential", "safe_contact")
SITUATION_DEFAULTS: dict[str, Any] = {
    "address": "",
    "address_confidential": False,
    "safe_contact": "",
}
# The roles that make a victim-perpetrator pair (repeats): a witness, a child without a role,
# someone involved makes none.
REPEAT_ROLES = (ViolenceRole.VICTIM, ViolenceRole.PERPETRATOR)
MAKES_PAIRS = role_condition(*REPEAT_ROLES)
# The fields that say who someone is in the case and what happened (history compares them).
ROLE_FIELD_NAMES = ("position", "is_victim", "is_perpetrator", "is_witness", "is_involved")


class ProbableDuplicates(Exception):
    """People the user may see who are probably the one being added."""

    def __init__(self, candidates: list[Any]) -> None:
        super().__init__("probable duplicates")
        self.candidates = candidates


def normalise_name(value: str) -> str:
    """Lower-case, without accents, with single spaces: "  Çelik  Öz" → "celik oz"."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def make_name_key(*, first_name: str, last_name: str) -> str:
    return f"{normalise_name(last_name)} {normalise_name(first_name)}".strip()


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


_BAND_UPPER_LIMITS = (
    (5, AgeBand.UNDER_6),
    (11, AgeBand.AGE_6_11),
    (17, AgeBand.AGE_12_17),
    (24, AgeBand.AGE_18_24),
    (44, AgeBand.AGE_25_44),
    (64, AgeBand.AGE_45_64),
)


def age_band_for(date_of_birth: datetime.date, day: datetime.date | None = None) -> AgeBand:
    age = age_on(date_of_birth, day or timezone.localdate())
    for upper, band in _BAND_UPPER_LIMITS:
        if age <= upper:
            return band
    return AgeBand.AGE_65_PLUS


def check_person_data(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    age_band: str,
    gender: str = Gender.UNKNOWN,
) -> None:
    """The rules for a person's identifying data; errors are keyed by field for the forms."""
    errors: dict[str, str] = {}
    if age_band not in AgeBand.values:
        errors["age_band"] = _("Choose an age band.")
    if gender not in Gender.values:
        errors["gender"] = _("Choose a gender.")
    if not first_name.strip():
        errors["first_name"] = _("Give the first name.")
    if not last_name.strip():
        errors["last_name"] = _("Give the last name.")
    if date_of_birth is not None:
        if problem := date_problem(date_of_birth, DateKind.BIRTH):
            errors["date_of_birth"] = problem
        elif age_band in AgeBand.values and age_band not in (
            AgeBand.UNKNOWN,
            age_band_for(date_of_birth),
        ):
            # A known date of birth and an unknown age are both fine; a contradiction is not.
            errors["age_band"] = _("This age band does not match the date of birth.")
    if errors:
        raise ValidationError(errors)


def _apply_person_fields(person: Person, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Not a person field: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(person, name, value)
    person.first_name = " ".join(person.first_name.split())
    person.last_name = " ".join(person.last_name.split())
    check_person_data(
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        age_band=person.age_band,
        gender=person.gender,
    )
    if person.date_of_birth is not None:
        # Stored for the figures; the date of birth stays the truth.
        person.age_band = age_band_for(person.date_of_birth)
    person.name_key = make_name_key(first_name=person.first_name, last_name=person.last_name)


def _split_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(person fields, situation fields) of what a form gave; anything else is a mistake."""
    unknown = set(fields) - set(PERSON_FIELDS) - set(SITUATION_FIELDS)
    if unknown:
        raise TypeError(f"Not a person or situation field: {sorted(unknown)}")
    person = {k: v for k, v in fields.items() if k in PERSON_FIELDS}
    situation = {k: v for k, v in fields.items() if k in SITUATION_FIELDS}
    return person, situation


def _apply_situation(party: CaseParty, situation: dict[str, Any]) -> None:
    for name, value in situation.items():
        setattr(party, name, value)
    party.address = party.address.strip()
    party.safe_contact = party.safe_contact.strip()


def check_roles(position: str, roles: Iterable[str]) -> tuple[str, list[ViolenceRole]]:
    """A family position (or none) and roles in the violence (none, one or several), at least
    one of the two. Several roles may hold together: in mutual violence one person is a victim
    and a perpetrator; a child can be a direct victim and a witness. Errors are keyed by field
    for the forms."""
    position = position or ""
    chosen = list(dict.fromkeys(roles))
    errors: dict[str, str] = {}
    if position and position not in FamilyPosition.values:
        errors["position"] = _("Choose a family position.")
    if any(role not in ViolenceRole.values for role in chosen):
        errors["roles"] = _("Choose roles in the violence from the list.")
    if not errors and not position and not chosen:
        errors["roles"] = _(
            "Give the person's family position, or at least one role in the violence."
        )
    if errors:
        raise ValidationError(errors)
    return position, [role for role in ViolenceRole if role in chosen]


def check_involved_since(day: datetime.date | None, *, case: Case) -> datetime.date:
    """The day a person's involvement in ``case`` began: today when not given, never in the
    future, never before the case's opening. Errors are keyed by field for the forms."""
    if day is None:
        return timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"involved_since": _("The involvement cannot begin in the future.")})
    if day < case.opened_on:
        raise ValidationError(
            {
                "involved_since": _(
                    "The involvement cannot begin before the case was registered (%(date)s)."
                )
                % {"date": date_format(case.opened_on, "SHORT_DATE_FORMAT")}
            }
        )
    return day


def _lock_case_for_people(case: Case) -> Case:
    # Serialises additions to one case, so "once per case" and repeat detection see each other.
    current = locked_for_update(case, None)
    if current.is_anonymous_consult:
        raise ValidationError(_("An anonymous consult holds no personal data: add no people."))
    return current


def _add_party(
    case: Case,
    by: User,
    person: Person,
    position: str,
    roles: list[ViolenceRole],
    involved_since: datetime.date,
    situation: dict[str, Any],
) -> CaseParty:
    if CaseParty.objects.filter(case=case, person=person).exists():
        raise ValidationError(_("This person is already in the case."))
    party = CaseParty(case=case, person=person, position=position, involved_since=involved_since)
    party.roles = roles
    # Only what was entered for this case: a linked person's situation in their other cases
    # (a safe address, a safe contact) is those cases' teams', never copied here.
    _apply_situation(party, {**SITUATION_DEFAULTS, **situation})
    attribute(party, by)
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError as error:
        raise ValidationError(_("This person is already in the case.")) from error
    # The position and roles only: a timeline line never holds a client's name.
    record_event(case=case, kind=EventKind.PERSON_ADDED, actor=by, summary=party.role_summary)
    _notify_duplicate_hits(party, by)
    if party.is_victim or party.is_perpetrator:
        refresh_repeats(case=case, by=by)
    return party


def _notify_duplicate_hits(party: CaseParty, by: User) -> None:
    """A person added or linked who is also in cases out of the user's sight (the same row,
    or the same name and known date of birth, as for repeats): the user saw only the people
    they may see in the duplicate dialog, and those cases' directors get a hit notice."""
    elsewhere = (
        CaseParty.objects.filter(_same_person_condition([party]))
        .exclude(case_id=party.case_id)
        .order_by()
        .values_list("case_id", flat=True)
    )
    notify_hits(by=by, pairs=[(party.case_id, pk) for pk in elsewhere])


@transaction.atomic
def person_create_in_case(
    *,
    case: Case,
    by: User,
    position: str = "",
    roles: Iterable[str] = (),
    confirm_new: bool = False,
    involved_since: datetime.date | None = None,
    **fields: Any,
) -> CaseParty:
    """A new person in the case's client system, with their family position and roles in the
    violence (:func:`check_roles`).

    Unless ``confirm_new``, probable duplicates the user may see stop the creation
    (:class:`ProbableDuplicates`) so the case director can link one of them instead.
    ``involved_since``: the day the person's involvement began (:func:`check_involved_since`;
    today when not given). Registering people together with a new case passes its opening.
    """
    from ..selectors.people import probable_duplicates

    position, chosen = check_roles(position, roles)
    person_fields, situation = _split_fields(fields)
    current = _lock_case_for_people(case)
    since = check_involved_since(involved_since, case=current)
    person = Person()
    _apply_person_fields(person, person_fields)
    if not confirm_new:
        candidates = probable_duplicates(
            user=by,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            case=current,
        )
        if candidates:
            raise ProbableDuplicates(candidates)
    attribute(person, by)
    person.save()
    return _add_party(current, by, person, position, chosen, since, situation)


@transaction.atomic
def person_link_to_case(
    *,
    case: Case,
    by: User,
    person: Person,
    position: str = "",
    roles: Iterable[str] = (),
    involved_since: datetime.date | None = None,
    **situation: Any,
) -> CaseParty:
    """An existing person, whom the user may see through another case, joins this case
    (``involved_since`` as for :func:`person_create_in_case`).

    Who they are comes with them; their situation here (``address``, ``address_confidential``,
    ``safe_contact``) is what the user enters now, never what another case holds."""
    position, chosen = check_roles(position, roles)
    _person_fields, situation = _split_fields(situation)
    if _person_fields:
        raise TypeError(f"Linking changes nothing of the person: {sorted(_person_fields)}")
    current = _lock_case_for_people(case)
    since = check_involved_since(involved_since, case=current)
    if not restrict(Person.objects.filter(pk=person.pk), by).exists():
        # The same answer as for a person who does not exist.
        raise ValidationError(_("This person cannot be found."))
    return _add_party(current, by, person, position, chosen, since, situation)


def _person_changes(person: Person, fields: dict[str, Any]) -> Person | None:
    """``person`` with ``fields`` applied, as a new unsaved row; ``None`` when nothing of who
    they are would change (an age band that only follows the date of birth is no change)."""
    candidate = Person(**{name: getattr(person, name) for name in PERSON_FIELDS})
    _apply_person_fields(candidate, fields)
    compared = [name for name in PERSON_FIELDS if name != "age_band"]
    if candidate.date_of_birth is None:
        compared.append("age_band")
    if all(getattr(candidate, name) == getattr(person, name) for name in compared):
        return None
    return candidate


def _correct_person(*, person: Person, corrected: Person, by: User) -> list[CaseParty]:
    """Apply a correction of who ``person`` is, made by ``by``; the involvements that moved to a
    case-local copy (none when the shared row was corrected).

    The shared row is corrected only when ``by`` may change every case that shows the person:
    then every team that sees the person is one ``by`` works in. Otherwise the correction is
    case-local: the involvements in the cases ``by`` may change move to a new person with the
    corrected data, and the other cases keep the person as their teams know them. Refusing
    instead would block the team that registered someone as soon as another organisation
    linked them, and would tell the editor that the person is in a case they cannot change.
    """
    involvements = CaseParty.objects.filter(person=person)
    changeable = restrict(involvements, by, Action.CHANGE)
    if not involvements.exclude(pk__in=changeable.values("pk")).exists():
        for name in PERSON_FIELDS:
            setattr(person, name, getattr(corrected, name))
        person.name_key = corrected.name_key
        save_versioned(person, by)
        return []
    attribute(corrected, by)
    corrected.save()
    moved = list(changeable.select_for_update().order_by("pk"))
    for involvement in moved:
        involvement.person = corrected
        save_versioned(involvement, by)
    return moved


@transaction.atomic
def case_party_update(
    *,
    party: CaseParty,
    by: User,
    expected_version: int | None,
    expected_party_version: int | None = None,
    position: str | None = None,
    roles: Iterable[str] | None = None,
    involved_since: datetime.date | None = None,
    **fields: Any,
) -> CaseParty:
    """Change a person in this case: who they are (:data:`PERSON_FIELDS`, see
    :func:`_correct_person`), their situation in this case (:data:`SITUATION_FIELDS`, this
    involvement only), their family position and roles in the violence in it (checked together
    by :func:`check_roles`) and the day their involvement began (``None``: unchanged). ``expected_version`` is the person's, ``expected_party_version`` the
    involvement's, as the form was opened with."""
    person_fields, situation = _split_fields(fields)
    person = locked_for_update(party.person, expected_version)
    party = locked_for_update(party, expected_party_version)
    # A changed name, date of birth or role can make or unmake repeats wherever the person
    # is, before and after the change.
    person_cases = list(CaseParty.objects.filter(person=person).values_list("case_id", flat=True))
    shared_before = cases_sharing_a_pair(person_cases)
    corrected = _person_changes(person, person_fields)
    if corrected is not None:
        _correct_person(person=person, corrected=corrected, by=by)
    party = CaseParty.objects.select_for_update().select_related("person").get(pk=party.pk)
    case = locked_for_update(party.case, None)
    compared = (*SITUATION_FIELDS, *ROLE_FIELD_NAMES, "involved_since")
    before = [getattr(party, name) for name in compared]
    _apply_situation(party, situation)
    if position is not None or roles is not None:
        party.position, party.roles = check_roles(
            party.position if position is None else position,
            party.roles if roles is None else roles,
        )
    if involved_since is not None and involved_since != party.involved_since:
        party.involved_since = check_involved_since(involved_since, case=case)
    after = [getattr(party, name) for name in compared]
    if after != before:
        save_versioned(party, by)
    refresh_repeats(
        case=case,
        by=by,
        also=shared_before | cases_sharing_a_pair(person_cases) | cases_sharing_a_pair([case.pk]),
    )
    return party


@transaction.atomic
def case_party_remove(*, party: CaseParty, by: User) -> None:
    """Take a person out of the case: their relations in it go too; the person stays."""
    case = locked_for_update(party.case, None)
    # A child, a family member, ... makes no pair: nothing to re-evaluate.
    makes_pairs = CaseParty.objects.filter(MAKES_PAIRS, pk=party.pk).exists()
    # The cases that shared a pair with this one may stop being repeats (or of it).
    shared_before = cases_sharing_a_pair([case.pk]) if makes_pairs else set()
    relations = PartyRelation.objects.filter(Q(from_party=party) | Q(to_party=party))
    for relation in relations:
        # One by one, so each deletion is in the history with who did it.
        attribute(relation, by)
        relation.delete()
    attribute(party, by)
    party.delete()
    if makes_pairs:
        refresh_repeats(case=case, by=by, also=shared_before)


@transaction.atomic
def relation_create(
    *,
    case: Case,
    by: User,
    from_party: CaseParty,
    kind: RelationKind | str,
    to_party: CaseParty,
) -> PartyRelation:
    if kind not in RelationKind.values:
        raise ValidationError(_("Choose the kind of relation."))
    if from_party.case_id != case.pk or to_party.case_id != case.pk:
        raise ValidationError(_("Both people must be in this case."))
    if from_party.pk == to_party.pk:
        raise ValidationError(_("A person cannot have a relation with themselves."))
    if PartyRelation.objects.filter(from_party=from_party, kind=kind, to_party=to_party).exists():
        raise ValidationError(_("This relation is already recorded."))
    relation = PartyRelation(case=case, from_party=from_party, kind=kind, to_party=to_party)
    attribute(relation, by)
    try:
        with transaction.atomic():
            relation.save()
    except IntegrityError as error:
        raise ValidationError(_("This relation is already recorded.")) from error
    return relation


@transaction.atomic
def relation_remove(*, relation: PartyRelation, by: User) -> None:
    attribute(relation, by)
    relation.delete()


def _same_person_condition(parties: list[CaseParty]) -> Q:
    """Matches parties whose person is one of these people (same row, or same key and birth)."""
    condition = Q(person_id__in=[p.person_id for p in parties])
    for party in parties:
        person = party.person
        if person.date_of_birth is not None:
            condition |= Q(
                person__name_key=person.name_key, person__date_of_birth=person.date_of_birth
            )
    return condition


def _pair_condition(parties: list[CaseParty]) -> Q | None:
    """Cases with one of these victims as victim and one of these perpetrators as perpetrator.

    ``None`` when the parties hold no pair. The cases these parties are in match too.
    """
    victims = [p for p in parties if p.is_victim]
    perpetrators = [p for p in parties if p.is_perpetrator]
    if not victims or not perpetrators:
        return None
    with_victim = CaseParty.objects.filter(is_victim=True).filter(_same_person_condition(victims))
    with_perpetrator = CaseParty.objects.filter(is_perpetrator=True).filter(
        _same_person_condition(perpetrators)
    )
    return Q(pk__in=with_victim.values("case_id")) & Q(pk__in=with_perpetrator.values("case_id"))


def _pair_parties(case_ids: Iterable[int]) -> list[CaseParty]:
    return list(
        CaseParty.objects.filter(MAKES_PAIRS, case_id__in=list(case_ids))
        .select_related("person")
        .order_by("case_id", "pk")
    )


def cases_sharing_a_pair(case_ids: Iterable[int]) -> set[int]:
    """The cases, system-wide, that share a victim and a perpetrator with one of these cases.

    These cases are in it themselves when they hold a pair. Two queries however many people
    and cases: the victims and perpetrators of these cases, then the cases that share a pair
    with one of them. Deliberately not restricted to what anyone may see (see
    :func:`earlier_cases_with_same_pair`).
    """
    by_case: dict[int, list[CaseParty]] = defaultdict(list)
    for party in _pair_parties(case_ids):
        by_case[party.case_id].append(party)
    conditions = [c for c in map(_pair_condition, by_case.values()) if c is not None]
    if not conditions:
        return set()
    return set(Case.objects.filter(reduce(operator.or_, conditions)).values_list("pk", flat=True))


def repeat_window_start(opened_on: datetime.date) -> datetime.date:
    """The first opening date of an earlier case that a case opened on ``opened_on`` repeats.

    A case repeats an earlier one when it was opened at most ``FJC_REPEAT_WINDOW_MONTHS``
    calendar months after it: ``earlier + N months >= opened_on``, the day of the month
    clamped (29-02-2024 + 12 months = 28-02-2025). So 28-02-2024 → 28-02-2025 is inside
    (366 days), 27-02-2024 → 28-02-2025 is not.
    """
    months = settings.FJC_REPEAT_WINDOW_MONTHS
    start = add_months(opened_on, -months)
    if add_months(start, months) < opened_on:
        # Clamped: e.g. 31-03 - 1 month = 28-02, but 28-02 + 1 month = 28-03. Nothing in
        # that short month reaches ``opened_on``; the window starts on the 1st after it.
        start += datetime.timedelta(days=1)
    return start


def earlier_cases_with_same_pair(case: Case) -> Any:
    """Earlier cases, system-wide, with the same victim and perpetrator within the window.

    Deliberately not restricted to what anyone may see: it feeds a figure and a badge,
    never the other case's content. Most recent first: by opening date, and on the same
    day the case registered last (the higher id).
    """
    condition = _pair_condition(_pair_parties([case.pk]))
    if condition is None:
        return Case.objects.none()
    return (
        Case.objects.filter(
            condition,
            opened_on__gte=repeat_window_start(case.opened_on),
            opened_on__lte=case.opened_on,
        )
        .exclude(pk=case.pk)
        # On the same day, the case registered first is the earlier one.
        .exclude(opened_on=case.opened_on, pk__gt=case.pk)
        .order_by("-opened_on", "-pk")
    )


def involvements_follow_the_opening(*, case: Case, by: User) -> None:
    """After a case's opening moved later: an involvement cannot begin before the case did,
    so those that began earlier now begin on the new opening (one history row each)."""
    for party in CaseParty.objects.select_for_update().filter(
        case=case, involved_since__lt=case.opened_on
    ):
        party.involved_since = case.opened_on
        attribute(party, by)
        party.save()


def _match_tokens(party: CaseParty) -> list[Any]:
    """What makes two parties the same person: the row, or the name key and known birth date
    (the rule of :func:`_same_person_condition`)."""
    person = party.person
    tokens: list[Any] = [("row", person.pk)]
    if person.date_of_birth is not None:
        tokens.append(("key", person.name_key, person.date_of_birth))
    return tokens


def _earliest_involvements(
    parties: Iterable[CaseParty],
) -> dict[tuple[int, str], dict[Any, datetime.date]]:
    """(case, role) -> matching token -> the earliest involvement of someone with it."""
    since: dict[tuple[int, str], dict[Any, datetime.date]] = defaultdict(dict)
    for party in parties:
        for role in party.roles:
            if role not in REPEAT_ROLES:
                continue
            for token in _match_tokens(party):
                known = since[party.case_id, role].get(token)
                day = party.involved_since
                since[party.case_id, role][token] = day if known is None else min(known, day)
    return since


def _shared_since(
    mine: dict[Any, datetime.date], theirs: dict[Any, datetime.date]
) -> datetime.date | None:
    """The earliest day someone matching in both cases was involved in both, if anyone."""
    days = [max(day, theirs[token]) for token, day in mine.items() if token in theirs]
    return min(days) if days else None


def repeat_facts(case: Case) -> tuple[int | None, datetime.date | None]:
    """``(repeat_of, repeat_since)`` of ``case`` under the rule (see :func:`refresh_repeats`).

    ``repeat_since`` is the day the case became a repeat according to the dated records: the
    earliest day on which one of its victims and one of its perpetrators matched a victim and
    a perpetrator of an earlier case inside the window while involved in both cases (the later
    of the four ``involved_since`` and the case's opening), over every such earlier case, not
    only the one it now repeats. Three queries.
    """
    earlier = list(earlier_cases_with_same_pair(case).values_list("pk", flat=True))
    return _facts(case, earlier)


def _facts(case: Case, earlier: list[int]) -> tuple[int | None, datetime.date | None]:
    """:func:`repeat_facts` from the earlier cases it repeats (most recent first)."""
    if not earlier:
        return None, None
    since = _earliest_involvements(_pair_parties([case.pk, *earlier]))
    days = []
    for other in earlier:
        victims = _shared_since(
            since[case.pk, ViolenceRole.VICTIM], since[other, ViolenceRole.VICTIM]
        )
        perpetrators = _shared_since(
            since[case.pk, ViolenceRole.PERPETRATOR], since[other, ViolenceRole.PERPETRATOR]
        )
        if victims is not None and perpetrators is not None:
            days.append(max(case.opened_on, victims, perpetrators))
    return earlier[0], min(days)


def _sync_matches(case: Case, earlier: list[int]) -> list[int]:
    """Keep every (case, earlier case) match of the rule in ``RepeatMatch``; the new ones."""
    known = set(RepeatMatch.objects.filter(later=case).values_list("earlier_id", flat=True))
    gone = known - set(earlier)
    if gone:
        RepeatMatch.objects.filter(later=case, earlier_id__in=gone).delete()
    new = [pk for pk in earlier if pk not in known]
    RepeatMatch.objects.bulk_create([RepeatMatch(later=case, earlier_id=pk) for pk in new])
    return new


def _refresh_one(case: Case, *, by: User, event_actor: User | None) -> list[int]:
    """Re-evaluate one case; returns the earlier cases it newly repeats."""
    earlier = list(earlier_cases_with_same_pair(case).values_list("pk", flat=True))
    new = _sync_matches(case, earlier)
    references = dict(Case.objects.filter(pk__in=new).values_list("pk", "reference"))
    for pk in new:
        # One line per earlier case, about it: access.policy shows it only to who may see that
        # case, so the line never tells of a case out of the viewer's sight.
        record_event(
            case=case,
            kind=EventKind.MARKED_REPEAT,
            actor=event_actor,
            summary=references[pk],
            about_case=Case(pk=pk),
        )
    earlier_id, since = _facts(case, earlier)
    if (earlier_id, since) != (case.repeat_of_id, case.repeat_since):
        case.repeat_of_id = earlier_id
        case.repeat_since = since
        # Derived, and never a reason to refuse someone's form: the version stays, or a
        # stale-form conflict would tell the user that a hit was made out of their sight.
        save_versioned(case, by, bump=False)
    return new


def refresh_repeats(*, case: Case, by: User, also: Iterable[int] = ()) -> Case:
    """Re-evaluate whether ``case`` and the cases sharing a victim-perpetrator pair with it
    are repeats, and of which case. Call inside the transaction, with ``case`` locked.

    The rule: a case is a repeat of the most recent earlier case (by opening date; the same
    day, the one registered first is earlier) with the same victim and perpetrator opened
    within ``FJC_REPEAT_WINDOW_MONTHS`` calendar months before it (:func:`repeat_window_start`).
    ``repeat_since`` dates it (:func:`repeat_facts`), so a figure for a past period counts a
    repeat only if it was one by the period's end: a person linked later (with a later
    ``involved_since``) makes a case a repeat from that day on, not retroactively.
    It depends on the people and the dates only, never on the order of changes, so
    every case that shares a pair with the changed one is evaluated again: later cases may
    become (or stop being) repeats of it. ``also``: case ids that shared a pair with it
    before the change (found with :func:`cases_sharing_a_pair` before people left or changed).

    Hit/no-hit: every match is kept (``RepeatMatch``) and a user is shown only the matches
    with cases they may see (``access.policy.visible_repeat_condition``); the version does not
    move. A "marked as a repeat" line is written per newly matched earlier case, about it, and
    shown only to who may see that case; it names ``by`` on the changed case only. A new match
    with a case out of ``by``'s sight sends a hit notice to that case's directors
    (:mod:`.hits`).
    """
    affected = (cases_sharing_a_pair([case.pk]) | set(also)) - {case.pk}
    hits = [(case.pk, pk) for pk in _refresh_one(case, by=by, event_actor=by)]
    # Locked in id order (after the changed case, which the caller locked), so two changes
    # that reach the same cases mostly wait for each other; PostgreSQL ends a deadlock.
    for other in Case.objects.select_for_update().filter(pk__in=affected).order_by("pk"):
        hits += [(other.pk, pk) for pk in _refresh_one(other, by=by, event_actor=None)]
    notify_hits(by=by, pairs=hits)
    return case
