"""Only configuration of case work is in the admin; case content never is."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from common.admin_edits import EditGuardAdmin

from .models import ClosingReason, FormOfViolence, NotTakenOnReason, RelationshipContext


@admin.register(ClosingReason)
class ClosingReasonAdmin(EditGuardAdmin, admin.ModelAdmin):
    list_display = ("name_nl", "name_en", "is_active", "order")
    list_editable = ("is_active", "order")


class ManagedCodeAdmin(EditGuardAdmin, admin.ModelAdmin):
    """Labels, order and the active flag are the administrator's; the codes are fixed (the
    figures and the instruments' scope use them), so no entry is added or deleted here."""

    list_display = ("code", "name_nl", "name_en", "is_active", "order")
    list_editable = ("name_nl", "name_en", "is_active", "order")
    readonly_fields = ("code",)
    fields = ("code", "name_nl", "name_en", "is_active", "order")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(RelationshipContext, ManagedCodeAdmin)
admin.site.register(FormOfViolence, ManagedCodeAdmin)


@admin.register(NotTakenOnReason)
class NotTakenOnReasonAdmin(EditGuardAdmin, admin.ModelAdmin):
    """The reasons for not taking a registration on (issue 19): labels, order, the active flag
    and whether an explanation is needed are the administrator's, who may add a reason. The
    code is fixed once made (decisions and the figures' rows point at it), and no reason is
    deleted: an old decision keeps its reason; an unused one is made inactive instead."""

    list_display = ("code", "name_nl", "name_en", "needs_explanation", "is_active", "order")
    list_editable = ("name_nl", "name_en", "needs_explanation", "is_active", "order")
    fields = ("code", "name_nl", "name_en", "needs_explanation", "is_active", "order")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
