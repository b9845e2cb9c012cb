"""Only configuration of case work is in the admin; case content never is."""

from django.contrib import admin

from .models import ClosingReason


@admin.register(ClosingReason)
class ClosingReasonAdmin(admin.ModelAdmin):
    list_display = ("name_nl", "name_en", "is_active", "order")
    list_editable = ("is_active", "order")
