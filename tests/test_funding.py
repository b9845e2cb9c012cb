"""Funding: the pro-rata split in cents, the services, the pages and the report chapter."""

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.roles import RoleCode
from common.versioning import EditConflict
from partners.models import Municipality, MunicipalityPopulation, OrganisationKind, PoliceZone
from reporting.figures import annual_figures
from reporting.funding import municipal_split, split_cents, split_for_year
from reporting.models import Funder, FundingYear, StaffingLine, StaffRole
from reporting.services import StaffingInput, funding_year_create, funding_year_update

from .factories import MunicipalityFactory, PoliceZoneFactory, make_organisation, make_user

YEAR = 2025

# The 12 municipalities of the arrondissement with their inhabitants (1 January 2020).
REGION = {
    "Mechelen": 86921,
    "Heist-op-den-Berg": 42950,
    "Lier": 36646,
    "Willebroek": 26826,
    "Puurs-Sint-Amands": 26142,
    "Nijlen": 22936,
    "Bornem": 21353,
    "Sint-Katelijne-Waver": 21026,
    "Putte": 17927,
    "Duffel": 17664,
    "Bonheiden": 15078,
    "Berlaar": 11656,
}


def table(chapters, key):
    for chapter in chapters:
        for t in chapter.tables:
            if t.key == key:
                return t
    raise AssertionError(f"no table {key}")


def as_dict(t):
    keys = [c.key for c in t.columns]
    return {
        rk: dict(zip(keys, row, strict=True)) for rk, row in zip(t.row_keys, t.rows, strict=True)
    }


# --- the split itself ---


def test_three_equal_municipalities_share_100_euro_the_extra_cent_by_name():
    # Names given out of order: the leftover cent goes to the alphabetically first.
    cents = split_cents(10000, [("Gamma", 1), ("Alfa", 1), ("Beta", 1)])
    assert cents == [3333, 3334, 3333]
    assert sum(cents) == 10000


def test_leftover_cents_go_to_the_largest_remainders_first():
    # 100 cents over 1:1:1:3 = 16.67, 16.67, 16.67, 50 -> floors 16,16,16,50 (98); the two
    # leftover cents go to the equal remainders by name: A and B.
    assert split_cents(100, [("C", 1), ("B", 1), ("A", 1), ("D", 3)]) == [16, 17, 17, 50]
    # 10 cents over 7:3 = 7 and 3 exactly: nothing to hand out.
    assert split_cents(10, [("A", 7), ("B", 3)]) == [7, 3]
    # 1 cent over 2:1: remainders 2/3 and 1/3 -> the larger remainder gets it.
    assert split_cents(1, [("A", 1), ("B", 2)]) == [0, 1]


def test_split_adds_up_exactly_for_many_random_totals_and_populations():
    rng = random.Random(20250101)
    for _ in range(2000):
        count = rng.randint(1, 12)
        weights = [(f"M{i:02d}", rng.randint(0, 200_000)) for i in range(count)]
        if not any(w for _name, w in weights):
            weights[0] = ("M00", 1)
        total = rng.randint(0, 100_000_000_00)
        cents = split_cents(total, weights)
        assert sum(cents) == total
        weight_sum = sum(w for _name, w in weights)
        for c, (_name, w) in zip(cents, weights, strict=True):
            exact_floor = total * w // weight_sum
            # Never more than one cent above the exact share, never below its floor.
            assert exact_floor <= c <= exact_floor + 1


def test_split_refuses_impossible_input():
    with pytest.raises(ValueError, match="negative"):
        split_cents(-1, [("A", 1)])
    with pytest.raises(ValueError, match="zero"):
        split_cents(100, [("A", 0)])
    assert split_cents(0, [("A", 0)]) == [0]


@pytest.mark.django_db
def test_domain_example_275000_euro_over_the_12_municipalities():
    zone = PoliceZone.objects.create(name="Zone")
    inhabitants: dict[Municipality, int | None] = {
        Municipality.objects.create(name=n, police_zone=zone): c for n, c in REGION.items()
    }
    shares = municipal_split(Decimal("275000.00"), inhabitants)
    assert [s.municipality.name for s in shares] == sorted(REGION)
    assert sum(s.amount for s in shares) == Decimal("275000.00")
    mechelen = next(s for s in shares if s.municipality.name == "Mechelen")
    # 275000 * 86921 / 347125 = 68860.712..., rounded down; its remainder is too small for
    # one of the leftover cents.
    assert mechelen.amount == Decimal("68860.71")
    assert all(s.amount == s.amount.quantize(Decimal("0.01")) for s in shares)


@pytest.mark.django_db
def test_missing_inhabitants_is_an_error_not_a_silent_split():
    zone = PoliceZone.objects.create(name="Zone")
    a = Municipality.objects.create(name="Alfa", police_zone=zone)
    b = Municipality.objects.create(name="Beta", police_zone=zone)
    MunicipalityPopulation.objects.create(municipality=a, year=YEAR, inhabitants=100)
    # Beta has a figure for another year only: that does not count for the split.
    MunicipalityPopulation.objects.create(municipality=b, year=YEAR - 1, inhabitants=100)
    with pytest.raises(ValidationError) as error:
        split_for_year(YEAR, Decimal("100.00"))
    assert error.value.code == "missing_inhabitants"
    assert "Beta" in error.value.messages[0]


# --- services ---


@pytest.fixture
def region(db):
    zone = PoliceZoneFactory(name="Zone")
    return [MunicipalityFactory(name=n, police_zone=zone) for n in ("Alfa", "Beta", "Gamma")]


@pytest.fixture
def lead(db):
    org = make_organisation("Stad Funding", OrganisationKind.CITY)
    return make_user("lead_funding", org, RoleCode.OPERATIONS_LEAD)


def test_create_twice_for_one_year_is_refused(lead):
    funding_year_create(by=lead, year=YEAR)
    with pytest.raises(ValidationError) as error:
        funding_year_create(by=lead, year=YEAR)
    assert "year" in error.value.message_dict
    assert FundingYear.objects.count() == 1


def test_update_writes_amounts_staffing_and_inhabitants(lead, region):
    funding = funding_year_create(by=lead, year=YEAR)
    funding_year_update(
        funding=funding,
        by=lead,
        expected_version=1,
        flemish_amount=Decimal("275000.00"),
        local_amount=Decimal("100.00"),
        staffing=[
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.CASE_DIRECTOR, Decimal("3.60")),
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.OPERATIONS_LEAD, Decimal("0.50")),
        ],
        inhabitants=dict.fromkeys(region, 1000),
    )
    funding.refresh_from_db()
    assert funding.version == 2
    assert funding.local_amount == Decimal("100.00")
    assert funding.updated_by == lead
    assert funding.history.count() == 2
    assert StaffingLine.objects.filter(funding_year=funding).count() == 2
    assert set(
        MunicipalityPopulation.objects.filter(year=YEAR).values_list("inhabitants", flat=True)
    ) == {1000}
    assert [s.amount for s in split_for_year(YEAR, funding.local_amount)] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_stale_version_changes_nothing(lead, region):
    funding = funding_year_create(by=lead, year=YEAR)
    with pytest.raises(EditConflict):
        funding_year_update(
            funding=funding,
            by=lead,
            expected_version=99,
            flemish_amount=Decimal("1.00"),
            local_amount=Decimal("1.00"),
            inhabitants={region[0]: 5},
        )
    funding.refresh_from_db()
    assert funding.flemish_amount == Decimal("0.00")
    assert not MunicipalityPopulation.objects.exists()


def test_bad_staffing_changes_nothing_not_even_inhabitants(lead, region):
    funding = funding_year_create(by=lead, year=YEAR)
    with pytest.raises(ValidationError):
        funding_year_update(
            funding=funding,
            by=lead,
            expected_version=1,
            flemish_amount=Decimal("1.00"),
            local_amount=Decimal("1.00"),
            staffing=[StaffingInput("nobody", StaffRole.CASE_DIRECTOR, Decimal("1.00"))],
            inhabitants={region[0]: 5},
        )
    funding.refresh_from_db()
    assert funding.version == 1
    assert not MunicipalityPopulation.objects.exists()


def test_negative_amount_is_refused(lead):
    funding = funding_year_create(by=lead, year=YEAR)
    with pytest.raises(ValidationError) as error:
        funding_year_update(
            funding=funding,
            by=lead,
            expected_version=1,
            flemish_amount=Decimal("-1.00"),
            local_amount=Decimal("1.00"),
        )
    assert "flemish_amount" in error.value.message_dict


# Amounts the service itself refuses, whoever calls it (issue 12): the form is not the only door.
BAD_AMOUNTS = [
    (Decimal("0.015"), "Een bedrag heeft hoogstens twee decimalen (eurocent)."),
    (Decimal("12.345"), "Een bedrag heeft hoogstens twee decimalen (eurocent)."),
    (Decimal("NaN"), "Geef het bedrag in als een getal, bv. 275000.00."),
    (Decimal("sNaN"), "Geef het bedrag in als een getal, bv. 275000.00."),
    (Decimal("Infinity"), "Geef het bedrag in als een getal, bv. 275000.00."),
    (Decimal("-Infinity"), "Geef het bedrag in als een getal, bv. 275000.00."),
    (Decimal("10000000000.00"), "Een bedrag is hoogstens 9.999.999.999,99 euro."),
    (Decimal("1234567890123"), "Een bedrag is hoogstens 9.999.999.999,99 euro."),
    (Decimal("-1.00"), "Een bedrag kan niet negatief zijn."),
]


@pytest.mark.parametrize(("amount", "message"), BAD_AMOUNTS)
def test_service_refuses_amounts_the_column_cannot_hold_with_a_dutch_message(lead, amount, message):
    with translation.override("nl"):
        with pytest.raises(ValidationError) as created:
            funding_year_create(by=lead, year=YEAR, local_amount=amount)
        assert created.value.message_dict == {"local_amount": [message]}
        assert not FundingYear.objects.exists()
        funding = funding_year_create(by=lead, year=YEAR)
        with pytest.raises(ValidationError) as updated:
            funding_year_update(
                funding=funding,
                by=lead,
                expected_version=1,
                flemish_amount=amount,
                local_amount=Decimal("1.00"),
            )
        assert updated.value.message_dict == {"flemish_amount": [message]}
    funding.refresh_from_db()
    assert funding.version == 1 and funding.flemish_amount == Decimal("0.00")


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("0.01"), Decimal("1.500"), Decimal("9999999999.99")]
)
def test_service_keeps_amounts_with_at_most_two_decimals_up_to_the_column_maximum(lead, amount):
    funding = funding_year_create(by=lead, year=YEAR, flemish_amount=amount)
    funding.refresh_from_db()
    assert funding.flemish_amount == amount


# --- the report chapter ---


def test_funding_chapter_amounts_fte_and_split_adding_up(lead, region):
    funding = funding_year_create(
        by=lead, year=YEAR, flemish_amount=Decimal("275000.00"), local_amount=Decimal("100.00")
    )
    funding_year_update(
        funding=funding,
        by=lead,
        expected_version=1,
        flemish_amount=Decimal("275000.00"),
        local_amount=Decimal("100.00"),
        staffing=[
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.CASE_DIRECTOR, Decimal("2.00")),
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.CASE_DIRECTOR, Decimal("1.60")),
            StaffingInput(Funder.FLEMISH_GOVERNMENT, StaffRole.NETWORK_COORDINATOR, Decimal("1")),
        ],
        inhabitants=dict.fromkeys(region, 1000),
    )
    chapters = annual_figures(YEAR)
    assert chapters[-1].key == "funding"
    amounts = as_dict(table(chapters, "funding_amounts"))
    assert {k: v["amount"] for k, v in amounts.items()} == {
        "flemish": Decimal("275000.00"),
        "local": Decimal("100.00"),
        "total": Decimal("275100.00"),
    }
    staffing = as_dict(table(chapters, "funding_staffing"))
    assert {k: v["fte"] for k, v in staffing.items()} == {
        "flemish_government:network_coordinator": Decimal("1.00"),
        "local_governments:case_director": Decimal("3.60"),
        "total": Decimal("4.60"),
    }
    split = table(chapters, "funding_split")
    assert {k: (v["inhabitants"], v["amount"]) for k, v in as_dict(split).items()} == {
        "municipality:Alfa": (1000, Decimal("33.34")),
        "municipality:Beta": (1000, Decimal("33.33")),
        "municipality:Gamma": (1000, Decimal("33.33")),
        "total": (3000, Decimal("100.00")),
    }
    with translation.override("en"):
        assert "largest remainder" in table(annual_figures(YEAR), "funding_split").note


def test_no_funding_entered_gives_an_empty_chapter(db):
    chapter = annual_figures(YEAR)[-1]
    assert chapter.key == "funding"
    assert chapter.tables == []
    assert chapter.intro


def test_funding_chapter_with_missing_inhabitants_fails_clearly(lead, region):
    funding_year_create(by=lead, year=YEAR, local_amount=Decimal("10.00"))
    with pytest.raises(ValidationError):
        annual_figures(YEAR)


# --- the pages ---


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def _post_data(funding, municipalities, **overrides):
    data = {
        "version": funding.version,
        "flemish_amount": "275000.00",
        "local_amount": "100.00",
        "notes": "",
        "staffing-TOTAL_FORMS": "2",
        "staffing-INITIAL_FORMS": "0",
        "staffing-0-funder": Funder.LOCAL_GOVERNMENTS,
        "staffing-0-role": StaffRole.CASE_DIRECTOR,
        "staffing-0-fte": "3.6",
        "staffing-1-funder": "",
        "staffing-1-role": "",
        "staffing-1-fte": "",
        "inhabitants-TOTAL_FORMS": str(len(municipalities)),
        "inhabitants-INITIAL_FORMS": str(len(municipalities)),
    }
    for i, m in enumerate(municipalities):
        data[f"inhabitants-{i}-municipality"] = m.pk
        data[f"inhabitants-{i}-inhabitants"] = "1000"
    data.update(overrides)
    return data


def test_lead_lists_creates_and_edits_a_year(lead_client, lead, region):
    response = lead_client.post(
        reverse("reporting:funding_create"),
        {"year": YEAR, "flemish_amount": "275000", "local_amount": "100", "notes": ""},
    )
    funding = FundingYear.objects.get(year=YEAR)
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    assert response.status_code == 302 and response["Location"] == edit
    assert lead_client.get(reverse("reporting:funding_list")).status_code == 200
    page = lead_client.get(edit)
    assert page.status_code == 200
    # No inhabitants yet: the split says so instead of showing wrong amounts.
    assert page.context["split_error"]
    response = lead_client.post(edit, _post_data(funding, region))
    assert response.status_code == 302
    funding.refresh_from_db()
    assert funding.version == 2
    assert list(funding.staffing_lines.values_list("fte", flat=True)) == [Decimal("3.60")]
    page = lead_client.get(edit)
    assert [s.amount for s in page.context["split"]] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert page.context["split_total"] == Decimal("100.00")


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"local_amount": "-5"}, "form"),
        ({"local_amount": "abc"}, "form"),
        ({"staffing-1-funder": Funder.OTHER}, "staffing"),
        ({"staffing-0-fte": "0"}, "staffing"),
        ({"inhabitants-0-inhabitants": "-1"}, "inhabitants"),
    ],
)
def test_bad_input_shows_errors_and_changes_nothing(lead_client, lead, region, overrides, where):
    funding = funding_year_create(by=lead, year=YEAR)
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    response = lead_client.post(edit, _post_data(funding, region, **overrides))
    assert response.status_code == 200
    context = response.context[where]
    assert context.errors if where == "form" else any(context.errors)
    # Whichever part holds the error, the summary at the top of the page lists it with a link.
    page = response.content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))
    ]
    assert (
        'href="#id_local_amount"' in summary
        if where == "form"
        else f'href="#id_{where}-' in summary
    )
    funding.refresh_from_db()
    assert funding.version == 1
    assert not funding.staffing_lines.exists()
    assert not MunicipalityPopulation.objects.exists()


def test_duplicate_year_on_the_create_page_is_a_form_error(lead_client, lead):
    funding_year_create(by=lead, year=YEAR)
    response = lead_client.post(
        reverse("reporting:funding_create"),
        {"year": YEAR, "flemish_amount": "1", "local_amount": "1", "notes": ""},
    )
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert FundingYear.objects.count() == 1


def test_stale_form_is_a_409_with_the_input_kept(lead_client, lead, region):
    funding = funding_year_create(by=lead, year=YEAR)
    data = _post_data(funding, region, local_amount="123.45")
    funding_year_update(
        funding=funding,
        by=lead,
        expected_version=1,
        flemish_amount=Decimal("1.00"),
        local_amount=Decimal("1.00"),
    )
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    response = lead_client.post(edit, data)
    assert response.status_code == 409
    assert response.context["form"].data["local_amount"] == "123.45"
    # The page as it is now, by a link (a reload would send the stale page again).
    assert f'<a href="{edit}">' in response.content.decode()
    funding.refresh_from_db()
    assert funding.local_amount == Decimal("1.00")
    assert not MunicipalityPopulation.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        RoleCode.CASE_DIRECTOR,
        RoleCode.NETWORK_COORDINATOR,
        RoleCode.ADMINISTRATOR,
        RoleCode.PROSECUTOR_LIAISON,
        RoleCode.PARTNER_PROFESSIONAL,
    ],
)
def test_other_roles_get_403_and_change_nothing(client, lead, region, role):
    funding = funding_year_create(by=lead, year=YEAR)
    other = make_user(f"other_{role}", lead.organisation, role)
    client.force_login(other)
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    assert client.get(reverse("reporting:funding_list")).status_code == 403
    assert client.post(edit, _post_data(funding, region)).status_code == 403
    assert (
        client.post(
            reverse("reporting:funding_create"),
            {"year": YEAR + 1, "flemish_amount": "1", "local_amount": "1"},
        ).status_code
        == 403
    )
    funding.refresh_from_db()
    assert funding.version == 1
    assert FundingYear.objects.count() == 1


def test_anonymous_is_sent_to_login(client, lead):
    funding = funding_year_create(by=lead, year=YEAR)
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    response = client.post(edit, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_year_is_404(lead_client):
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": 987654})
    assert lead_client.get(edit).status_code == 404


def test_nav_shows_funding_to_the_lead_only(client, lead):
    client.force_login(lead)
    assert reverse("reporting:funding_list") in client.get(reverse("home")).content.decode()
    director = make_user("director_nav", lead.organisation, RoleCode.CASE_DIRECTOR)
    client.force_login(director)
    assert reverse("reporting:funding_list") not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("0.015", "Een bedrag heeft hoogstens twee decimalen (eurocent)."),
        ("NaN", "Geef het bedrag in als een getal, bv. 275000.00."),
        ("Infinity", "Geef het bedrag in als een getal, bv. 275000.00."),
        ("abc", "Geef het bedrag in als een getal, bv. 275000.00."),
        ("1234567890123", "Een bedrag is hoogstens 9.999.999.999,99 euro."),
        ("-5", "Een bedrag kan niet negatief zijn."),
    ],
)
def test_the_forms_show_the_services_message_for_a_bad_amount(
    lead_client, lead, region, posted, message
):
    response = lead_client.post(
        reverse("reporting:funding_create"),
        {"year": YEAR, "flemish_amount": "1", "local_amount": posted, "notes": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["local_amount"] == [message]
    assert not FundingYear.objects.exists()
    funding = funding_year_create(by=lead, year=YEAR)
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    response = lead_client.post(edit, _post_data(funding, region, flemish_amount=posted))
    assert response.status_code == 200
    assert response.context["form"].errors["flemish_amount"] == [message]
    funding.refresh_from_db()
    assert funding.version == 1


def test_funding_pages_show_amounts_in_the_dutch_number_format(lead_client, lead, region):
    funding = funding_year_create(
        by=lead, year=YEAR, flemish_amount=Decimal("275000.01"), local_amount=Decimal("1000.00")
    )
    funding_year_update(
        funding=funding,
        by=lead,
        expected_version=1,
        flemish_amount=Decimal("275000.01"),
        local_amount=Decimal("1000.00"),
        inhabitants={region[0]: 86921, region[1]: 1000, region[2]: 1000},
    )
    listing = lead_client.get(reverse("reporting:funding_list")).content.decode()
    assert "275.000,01" in listing and "275000" not in listing
    edit = reverse("reporting:funding_edit", kwargs={"funding_year_pk": funding.pk})
    page = lead_client.get(edit).content.decode()
    assert "86.921" in page and "1.000,00" in page
