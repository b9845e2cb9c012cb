from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group

from .models import Municipality, MunicipalityPopulation, Organisation, PoliceZone


class PopulationInline(admin.TabularInline):
    model = MunicipalityPopulation
    extra = 1


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "police_zone")
    list_select_related = ("police_zone",)
    inlines = [PopulationInline]


@admin.register(PoliceZone)
class PoliceZoneAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "police_zone", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("municipality", "police_zone")

    def save_model(self, request: Any, obj: Organisation, form: Any, change: bool) -> None:
        if not change:
            obj.group = Group.objects.create(name=f"org:{obj.name}"[:150])
        super().save_model(request, obj, form, change)
