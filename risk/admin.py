"""Instruments are configuration and live here; assessments are case content and never do.

A published version is read-only: the way to change it is "new draft from this version",
edit the draft, then publish it (which validates it exactly as a loaded file is validated).
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.admin_edits import EditGuardAdmin

from . import services
from .models import (
    AnswerOption,
    Instrument,
    InstrumentVersion,
    Item,
    Level,
    Section,
    Threshold,
    VersionStatus,
    version_is_used,
)


def _locked(version: InstrumentVersion | None) -> bool:
    return version is not None and (
        version.status == VersionStatus.PUBLISHED or version_is_used(version.pk)
    )


class LockedWithVersionMixin:
    """Read-only once the version the object belongs to is published or used."""

    def version_of(self, obj: Any) -> InstrumentVersion | None:
        return obj if isinstance(obj, InstrumentVersion) else getattr(obj, "version", None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _locked(self.version_of(obj)):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _locked(self.version_of(obj)):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]


class LockedInlineMixin(LockedWithVersionMixin):
    """Inlines get the parent (a version or an item) as ``obj``."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _locked(self.version_of(obj)):
            return False
        return super().has_add_permission(request, obj)  # type: ignore[misc]


class VersionInline(admin.TabularInline):
    model = InstrumentVersion
    fields = ("number", "status", "published_at", "scoring_rule")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(EditGuardAdmin, admin.ModelAdmin):
    list_display = ("code", "name_nl", "name_en")
    search_fields = ("code", "name_nl", "name_en")
    inlines = [VersionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LevelInline(LockedInlineMixin, admin.TabularInline):
    model = Level
    fields = ("order", "code", "label_nl", "label_en", "grade", "suggests_escalation")
    extra = 0


class ThresholdInline(LockedInlineMixin, admin.TabularInline):
    model = Threshold
    fields = ("min_score", "max_score", "level")
    extra = 0


class SectionInline(LockedInlineMixin, admin.TabularInline):
    model = Section
    fields = ("order", "code", "title_nl", "title_en", "kind")
    extra = 0
    show_change_link = True


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(EditGuardAdmin, LockedWithVersionMixin, admin.ModelAdmin):
    list_display = ("instrument", "number", "status", "published_at", "scoring_rule")
    list_filter = ("status", "instrument")
    readonly_fields = ("status", "published_at", "min_score", "max_score")
    inlines = [LevelInline, ThresholdInline, SectionInline]
    actions = ["publish", "new_draft"]

    @admin.action(
        description=_("Publish the selected drafts (after validating them)"), permissions=["change"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset.select_related("instrument"):
            try:
                services.version_publish(version=version)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("%(version)s was not published: %(problems)s")
                    % {"version": version, "problems": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("%(version)s is published.") % {"version": version})

    @admin.action(
        description=_("Make a new draft version from the selected version"), permissions=["add"]
    )
    def new_draft(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset.select_related("instrument"):
            draft = services.version_new_draft(version=version)
            self.message_user(request, _("%(version)s created as a draft.") % {"version": draft})


class AnswerOptionInline(LockedInlineMixin, admin.TabularInline):
    model = AnswerOption
    fields = ("order", "code", "label_nl", "label_en", "weight", "is_unknown")
    extra = 0


@admin.register(Item)
class ItemAdmin(EditGuardAdmin, LockedWithVersionMixin, admin.ModelAdmin):
    list_display = ("code", "text_nl", "section", "version")
    list_filter = ("version__instrument", "version")
    search_fields = ("code", "text_nl", "text_en")
    list_select_related = ("section", "version__instrument")
    inlines = [AnswerOptionInline]


@admin.register(Section)
class SectionAdmin(EditGuardAdmin, LockedWithVersionMixin, admin.ModelAdmin):
    list_display = ("code", "title_nl", "kind", "version")
    list_filter = ("version__instrument", "version")
    list_select_related = ("version__instrument",)
