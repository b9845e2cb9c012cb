"""The shared rule for plausible dates and numbers (common.dates), and the inputs that once
crashed or were accepted: a consultation moved to 9999-12-31, a case dated 1 January 1900."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RoleCode
from cases.models import Case, Hearing, Track
from cases.services import case_create, hearing_add
from cases.services.people import check_person_data
from common.dates import DateKind, add_months, check_date, date_bounds, date_problem
from consultations.models import Consultation
from partners.models import OrganisationKind

from .clock import TODAY
from .factories import make_case, make_organisation, make_user
from .test_form_fuzz import _own_forms, _plausible

pytestmark = pytest.mark.django_db


def test_the_windows_of_each_kind():
    today = datetime.date(2026, 3, 10)
    with override_settings(FJC_SERVICE_START=datetime.date(2010, 1, 1), FJC_MAX_YEARS_AHEAD=2):
        assert date_bounds(DateKind.BIRTH, today=today) == (datetime.date(1900, 1, 1), today)
        assert date_bounds(DateKind.HAPPENED, today=today) == (datetime.date(2010, 1, 1), today)
        assert date_bounds(DateKind.PLANNED, today=today) == (
            datetime.date(2010, 1, 1),
            datetime.date(2028, 3, 10),
        )
        assert date_bounds(DateKind.VALIDITY, today=today)[1] == datetime.date(2036, 3, 10)
        assert date_problem(datetime.date(2028, 3, 10), DateKind.PLANNED, today=today) is None
        assert date_problem(datetime.date(2028, 3, 11), DateKind.PLANNED, today=today)
        assert date_problem(datetime.date(2009, 12, 31), DateKind.HAPPENED, today=today)
        assert date_problem(datetime.date(2026, 3, 11), DateKind.HAPPENED, today=today)


def test_the_service_start_is_a_setting():
    day = datetime.date(2016, 5, 1)
    with (
        override_settings(FJC_SERVICE_START=datetime.date(2017, 5, 23)),
        pytest.raises(ValidationError) as refused,
    ):
        check_date(day, DateKind.HAPPENED, field="opened_on")
    assert "opened_on" in refused.value.error_dict
    check_date(day, DateKind.HAPPENED, field="opened_on")  # the default, 2010-01-01


def test_an_aware_moment_is_judged_by_its_brussels_day():
    latest = date_bounds(DateKind.PLANNED)[1]
    last_minute = timezone.make_aware(datetime.datetime.combine(latest, datetime.time(23, 59)))
    assert date_problem(last_minute, DateKind.PLANNED) is None
    assert date_problem(last_minute + datetime.timedelta(minutes=1), DateKind.PLANNED)


@pytest.fixture
def director():
    org = make_organisation("Stad Datum", OrganisationKind.CITY)
    return make_user("director_dates", org, RoleCode.CASE_DIRECTOR)


def test_a_case_dated_1_january_1900_is_refused(director):
    with pytest.raises(ValidationError) as refused:
        case_create(
            by=director,
            owner_organisation=director.organisation,
            case_director=director,
            opened_on=datetime.date(1900, 1, 1),
        )
    assert "opened_on" in refused.value.error_dict
    assert not Case.objects.filter(reference__startswith="1900-").exists()


def test_a_case_registered_tomorrow_is_refused_and_today_is_fine(director):
    with pytest.raises(ValidationError):
        case_create(
            by=director,
            owner_organisation=director.organisation,
            case_director=director,
            opened_on=TODAY + datetime.timedelta(days=1),
        )
    assert (
        case_create(
            by=director, owner_organisation=director.organisation, case_director=director
        ).opened_on
        == timezone.localdate()
    )


def test_the_registration_form_says_so_in_dutch(director, client):
    client.force_login(director)
    url = reverse("cases:create")

    def filled() -> dict:
        # A fresh page each time: its hidden fields (a submission token) are for one POST.
        (form,) = _own_forms(client.get(url).content.decode(), url)
        return {f.name: v for f in form.fields if (v := _plausible(f)) is not None}

    before = Case.objects.count()
    assert client.post(url, {**filled(), "opened_on": TODAY.isoformat()}).status_code == 302
    response = client.post(url, {**filled(), "opened_on": "1900-01-01"})
    assert response.status_code == 200
    assert "controleer het jaar" in response.content.decode()
    assert Case.objects.count() == before + 1


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_person_data(
            first_name="An",
            last_name="Peeters",
            date_of_birth=TODAY + datetime.timedelta(days=1),
            age_band="unknown",
        )
    assert "date_of_birth" in refused.value.error_dict
    with pytest.raises(ValidationError):
        check_person_data(
            first_name="An",
            last_name="Peeters",
            date_of_birth=datetime.date(1899, 12, 31),
            age_band="unknown",
        )


def test_a_hearing_fifty_years_ahead_is_refused(director):
    case = make_case(director, track=Track.CHAIN)
    held_at = timezone.make_aware(
        datetime.datetime.combine(add_months(TODAY, 50 * 12), datetime.time(10, 0))
    )
    with pytest.raises(ValidationError) as refused:
        hearing_add(case=case, by=director, held_at=held_at, court="Familierechtbank")
    assert "held_at" in refused.value.error_dict
    assert not Hearing.objects.filter(case=case).exists()


def test_a_consultation_moved_to_9999_12_31_is_refused_in_dutch(setting, client):
    c = setting.consultation
    # A participant outside the agenda cases' teams: moving the meeting moves their access
    # window, days after the meeting (what overflowed past 9999-12-31).
    setting.add_liaison(c)
    client.force_login(setting.users["director"])
    response = client.post(
        reverse("consultations:edit", kwargs={"pk": c.pk}),
        {"scheduled_at": "9999-12-31T23:59", "location": "Zaal 2", "version": c.version},
    )
    assert response.status_code == 200
    assert "jaar in de toekomst" in response.content.decode()
    assert Consultation.objects.get(pk=c.pk).scheduled_at == c.scheduled_at


def test_every_accepted_meeting_day_has_an_access_window(setting):
    """The latest day the rule accepts still leaves room for the window after it."""
    latest = date_bounds(DateKind.PLANNED)[1]
    c = setting.consultation
    c.scheduled_at = timezone.make_aware(datetime.datetime.combine(latest, datetime.time(23, 59)))
    assert c.access_closes_at > c.scheduled_at


def test_a_population_figure_in_the_admin_is_held_to_the_same_rule():
    from partners.models import Municipality, MunicipalityPopulation, PoliceZone

    zone = PoliceZone.objects.create(name="Politiezone Datum")
    municipality = Municipality.objects.create(name="Datumgem", police_zone=zone)
    for year, inhabitants, field in ((2025, 3_000_000, "inhabitants"), (9999, 1000, "year")):
        figure = MunicipalityPopulation(
            municipality=municipality, year=year, inhabitants=inhabitants
        )
        with pytest.raises(ValidationError) as refused:
            figure.full_clean()
        assert field in refused.value.error_dict
    MunicipalityPopulation(municipality=municipality, year=2025, inhabitants=86_000).full_clean()
