from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from access.policy import may_set_judicial_organisation_kind
from common.admin_edits import EditGuardAdmin

from .models import (
    JUDICIAL_INFORMATION_KINDS,
    Municipality,
    MunicipalityPopulation,
    Organisation,
    PoliceZone,
)


class PopulationInline(admin.TabularInline):
    model = MunicipalityPopulation
    extra = 1


@admin.register(Municipality)
class MunicipalityAdmin(EditGuardAdmin, admin.ModelAdmin):
    list_display = ("name", "police_zone")
    list_select_related = ("police_zone",)
    inlines = [PopulationInline]


@admin.register(PoliceZone)
class PoliceZoneAdmin(EditGuardAdmin, admin.ModelAdmin):
    list_display = ("name",)


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "municipality",
            "police_zone",
            "is_active",
            "sector",
            "municipalities_served",
            "is_core_partner",
        ]

    user: Any = None

    def clean_kind(self) -> str:
        """A kind that opens judicial information is set or changed by an administrator only
        (staff without the administrator role may reach the admin too)."""
        kind: str = self.cleaned_data["kind"]
        before = self.instance.kind if self.instance.pk else None
        touches_judicial = kind != before and (
            kind in JUDICIAL_INFORMATION_KINDS or before in JUDICIAL_INFORMATION_KINDS
        )
        if touches_judicial and not may_set_judicial_organisation_kind(self.user):
            raise forms.ValidationError(
                _("Only an administrator sets a kind that opens judicial information.")
            )
        return kind


@admin.register(Organisation)
class OrganisationAdmin(EditGuardAdmin, admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "kind", "municipality", "police_zone", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("municipality", "police_zone")

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: Any, obj: Organisation, form: Any, change: bool) -> None:
        if not change:
            obj.group = Group.objects.create(name=f"org:{obj.name}"[:150])
        super().save_model(request, obj, form, change)
