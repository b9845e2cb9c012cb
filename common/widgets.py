"""Form widgets whose HTML is written in Python rather than through the form renderer's
templates (issue 20): a ``<select>`` of a few hundred options rendered one ``{% include %}``
per option costs milliseconds on every list page.

The markup is the one Django's own templates give (``django/forms/widgets/select.html``,
``select_option.html``, ``attrs.html``), byte for byte (``tests/test_widgets.py`` compares
them): the same names, ids, labels, ``selected`` states and ARIA attributes.
"""

from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: False leaves the attribute out, True writes its
    name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class PlainSelect(forms.Select):
    """``forms.Select`` with its markup written in Python (see the module)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                out.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 -- every value above is escaped


class _FetchedChoices(django_filters.fields.ModelChoiceIterator):
    """The choices of a model's rows read by one plain ``SELECT``: Django's iterator reads
    them through a server-side cursor (``DECLARE``, ``FETCH``, ``CLOSE``: three round trips),
    meant for tables too big to hold, not for a drop-down of a few hundred rows. The same
    choices in the same order (django-filters' null choice included)."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _FetchedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _FetchedChoices


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filters' ``ModelChoiceFilter`` whose drop-down reads its rows in one query."""

    field_class = _FetchedModelChoiceField
