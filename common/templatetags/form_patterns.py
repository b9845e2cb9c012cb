"""Template helpers for the shared form patterns (docs/ui.md)."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    message: str
    label: str = ""
    anchor: str = ""  # the field's id; empty for an error of the whole form or formset


def _form_items(form: BaseForm) -> list[SummaryItem]:
    items = [SummaryItem(str(error)) for error in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [SummaryItem(str(error)) for error in field.errors]
    for field in form.visible_fields():
        anchor = field_anchor(field)
        items += [SummaryItem(str(error), str(field.label), anchor) for error in field.errors]
    return items


@register.simple_tag
def error_summary_items(form: Any, also: Any = None) -> list[SummaryItem]:
    """What the error summary lists: the page's form and, on a page of several, the other
    forms and formsets the view names in ``also_forms`` (the funding year's staffing lines
    and inhabitants)."""
    items: list[SummaryItem] = []
    for each in [form, *(also or ())]:
        if isinstance(each, BaseFormSet):
            if not each.is_bound:
                continue
            items += [SummaryItem(str(error)) for error in each.non_form_errors()]
            for member in each.forms:
                items += _form_items(member)
        elif isinstance(each, BaseForm) and each.is_bound:
            items += _form_items(each)
    return items


@register.filter
def field_anchor(field: BoundField) -> str:
    """The id a summary link jumps to: the input, or the first option of a group of options."""
    return str(field.id_for_label or f"{field.auto_id}_0")


@register.filter
def required_when(field: BoundField) -> Any:
    """When an optional field is required after all (``form.conditionally_required``)."""
    return getattr(field.form, "conditionally_required", {}).get(field.name, "")
