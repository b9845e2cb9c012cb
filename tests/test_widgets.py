"""``common.widgets.PlainSelect`` writes the markup Django's templates write, byte for byte:
names, ids, labels, the selected option, ARIA attributes, escaping."""

import pytest
from django import forms

from common.widgets import PlainSelect

CHOICES = [
    ("", "Alle"),
    ("a<b", 'x "y" & <z>'),
    (3, "drie"),
    ("groep", [("g1", "Eén"), ("g2", "Twee")]),
]


@pytest.mark.parametrize("value", ["", "a<b", 3, "3", "g2", None, ["3"], "onbekend"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_x"},
        {"id": "id_x", "aria-invalid": "true", "aria-describedby": "id_x_error"},
        {"required": True, "disabled": False, "data-x": 'a"b'},
    ],
)
def test_the_markup_is_django_s(value, attrs):
    expected = forms.Select(choices=CHOICES).render("x", value, attrs)
    assert PlainSelect(choices=CHOICES).render("x", value, attrs) == expected


def test_a_bound_form_field_renders_the_same(db):
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=CHOICES[:3], required=False)

    class PlainForm(forms.Form):
        kind = forms.ChoiceField(choices=CHOICES[:3], required=False, widget=PlainSelect)

    for data in ({}, {"kind": "3"}, {"kind": "bestaat niet"}):
        assert str(PlainForm(data)["kind"]) == str(Form(data)["kind"])


def test_the_fetched_choices_are_django_filters_own(db, django_assert_num_queries):
    """``common.widgets.ModelChoiceFilter``: the same choices, in one plain query."""
    import django_filters

    from cases.selectors.lists import CaseListFilter
    from common.widgets import ModelChoiceFilter
    from partners.models import Municipality, PoliceZone

    class Theirs(django_filters.FilterSet):
        municipality = django_filters.ModelChoiceFilter(
            queryset=Municipality.objects.all(), empty_label="Alle"
        )

        class Meta:
            model = Municipality
            fields: list[str] = []

    class Ours(django_filters.FilterSet):
        municipality = ModelChoiceFilter(queryset=Municipality.objects.all(), empty_label="Alle")

        class Meta:
            model = Municipality
            fields: list[str] = []

    zone = PoliceZone.objects.create(name="Zone widgets")
    for name in ("Zemst", "Aalst", "Mechelen <Noord>"):
        Municipality.objects.create(name=name, police_zone=zone)
    theirs = [(str(v), str(label)) for v, label in Theirs().form.fields["municipality"].choices]
    with django_assert_num_queries(1) as queries:
        ours = [(str(v), str(label)) for v, label in Ours().form.fields["municipality"].choices]
    assert ours == theirs and len(ours) > 2
    assert queries.captured_queries[0]["sql"].startswith("SELECT")
    # The list's own filters use it, and a submitted value is still checked against the rows.
    form = CaseListFilter({"municipality": ours[1][0]}).form
    assert form.is_valid()
    assert not CaseListFilter({"municipality": "999999"}).form.is_valid()
