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
