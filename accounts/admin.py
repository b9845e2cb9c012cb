from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import sync_case_group_membership


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts only. Group membership follows from organisation and roles, so it is not editable;
    object-level case grants are never shown here."""

    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("organisation", "roles", "is_active")
    list_select_related = ("organisation",)
    filter_horizontal = ("roles",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Organisation and roles"), {"fields": ("organisation", "roles")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2", "organisation", "roles"),
            },
        ),
    )

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.__dict__.pop("role_codes", None)
        sync_case_group_membership(form.instance)
