"""Template helpers for the shared form patterns (docs/ui.md)."""

from typing import Any

from django import template
from django.forms import BoundField, Form

register = template.Library()


@register.filter
def error_count(form: Form) -> int:
    """Every message the error summary lists: above the form and beside each field."""
    return sum(len(errors) for errors in form.errors.values())


@register.filter
def field_anchor(field: BoundField) -> str:
    """The id a summary link jumps to: the input, or the first option of a group of options."""
    return str(field.id_for_label or f"{field.auto_id}_0")


@register.filter
def required_when(field: BoundField) -> Any:
    """When an optional field is required after all (``form.conditionally_required``)."""
    return getattr(field.form, "conditionally_required", {}).get(field.name, "")
