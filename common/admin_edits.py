"""Edits in the Django admin never silently overwrite each other (docs/architecture.md,
"Concurrency").

The admin has no optimistic lock of its own, and most configuration rows have no ``version``.
A change page therefore carries a fingerprint of what its form showed (``opened_as``: the
values of the form's model fields, the version when the row has one, its inlines' rows); saving
locks the row, takes the fingerprint again and refuses the page when they differ, changing
nothing. What the form does not show (a last login, a password) is no conflict. A row with a
``version`` gets the next one, so an application form opened before the admin's save is refused
in turn (``common.versioning``).

A changelist with in-place columns (``list_editable``) posts every row of the page, the ones
nobody touched with the values they had when it was opened: each row carries its own
fingerprint (``templates/admin/change_list.html`` renders them), and one stale row refuses the
whole save.
"""

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .versioning import STALE_EDIT, locked_for_update

OPENED_AS = "opened_as"
MISSING = _("This form does not say which version it changes. Open it again and save again.")


def _has_version(model: type[models.Model]) -> bool:
    """Whether the model has ``common.versioning``'s lock (an integer ``version``, not, say,
    a risk item's foreign key to its instrument version)."""
    try:
        return isinstance(model._meta.get_field("version"), models.IntegerField)
    except FieldDoesNotExist:
        return False


def _guarded_fields(model: type[models.Model], names: Any) -> list[Any]:
    fields = []
    for name in sorted({*names, *(["version"] if _has_version(model) else [])}):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a form field of its own (the fingerprint itself, a read-only text)
        # Not the primary key: a list's formset adds it to each row's form after the form
        # took its fingerprint, and a row's identity is no change.
        if (field.concrete and not field.primary_key) or field.many_to_many:
            fields.append(field)  # type: ignore[arg-type]
    return fields


def fingerprint(obj: models.Model, names: Any, related: Any = ()) -> str:
    """What the fields ``names`` (and the version) of ``obj`` hold, with ``related`` (the
    rows its page edits with it), as one short text."""
    values: list[Any] = [related]
    for field in _guarded_fields(type(obj), names):
        if field.many_to_many:
            value: Any = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        else:
            value = field.value_from_object(obj)
        values.append((field.name, value))
    return hashlib.sha256(repr(values).encode()).hexdigest()


class _GuardedForm(forms.ModelForm):
    """Declares the fingerprint and checks it; mixed into the admin's own form class."""

    # Checked in clean(), so that a missing one is an error of the whole form (a changelist
    # row shows only those).
    opened_as = forms.CharField(widget=forms.HiddenInput, label="", required=False)

    # The rows the page edits with the object (its inlines), set by EditGuardAdmin.get_form.
    related_rows: Any = None
    # Refused as stale: the page links to itself as it is now (``edit_conflict``).
    stale = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # In the initial data too, so the page (and whoever fills it in from it) sends it.
            self.initial[OPENED_AS] = self._fingerprint(self.instance)

    def _fingerprint(self, obj: models.Model) -> str:
        related = self.related_rows(obj) if self.related_rows is not None else ()
        return fingerprint(obj, self.fields, related)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        opened_as = self.cleaned_data.get(OPENED_AS)
        if not opened_as:
            raise ValidationError(MISSING)
        # Locked until the admin's transaction (the whole change page) ends.
        current = locked_for_update(self.instance, None)
        if self._fingerprint(current) != opened_as:
            self.stale = True
            raise ValidationError(STALE_EDIT)
        if _has_version(type(current)):
            self.instance.version = current.version + 1  # type: ignore[attr-defined]
        return cleaned


def _guarded(base: Any, **attributes: Any) -> Any:
    """``base`` (the admin's form class) with the fingerprint declared and checked."""
    return type(base)(f"Guarded{base.__name__}", (_GuardedForm, base), attributes)


class EditGuardAdmin:
    """ModelAdmin mixin (first among the bases): the change page carries ``opened_as`` and a
    stale one is refused. Every admin that changes rows uses it (``tests/test_admin_edits.py``)."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != OPENED_AS]})
            for name, options in super().get_fieldsets(request, obj)  # type: ignore[misc]
        ]
        # Only a page that can save carries it (a read-only page would show it as a value).
        if obj is not None and self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            name, options = fieldsets[-1]
            fieldsets[-1] = (name, {**options, "fields": [*options["fields"], OPENED_AS]})
        return fieldsets

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None and "form" not in kwargs:
            base = self.form  # type: ignore[attr-defined]

            def related_rows(current: models.Model) -> list[Any]:
                return self._inline_rows(request, current)

            kwargs["form"] = _guarded(base, related_rows=staticmethod(related_rows))
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return _guarded(super().get_changelist_form(request, **kwargs))  # type: ignore[misc]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        # A stale page links to itself as it is now: the browser's reload would post it again.
        context["edit_conflict"] = getattr(context["adminform"].form, "stale", False)
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method != "POST" or "_save" not in request.POST:
            return super().changelist_view(request, extra_context)  # type: ignore[misc]
        # The rows' locks (taken in the forms' clean) hold until their save: Django validates
        # the list's forms before its own transaction begins.
        with transaction.atomic(using=router.db_for_write(self.model)):  # type: ignore[attr-defined]
            response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and changelist.formset is not None:
            forms = changelist.formset.forms
            response.context_data["edit_conflict"] = any(f.stale for f in forms)
        return response  # type: ignore[no-any-return]

    def _inline_rows(self, request: HttpRequest, obj: models.Model) -> list[Any]:
        """Each inline's rows of ``obj`` as stored (a population figure, a version's level):
        a change to them by someone else makes the page stale too."""
        rows: list[Any] = []
        for inline in self.get_inline_instances(request, obj):  # type: ignore[attr-defined]
            fk = inline.get_formset(request, obj).fk
            stored = inline.model._default_manager.filter(**{fk.name: obj}).order_by("pk")
            names = [f.attname for f in inline.model._meta.concrete_fields]
            rows.append((inline.model._meta.label, list(stored.values_list(*names))))
        return rows
