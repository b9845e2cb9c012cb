from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent

# Case grants live in organisation groups managed by the application; editing
# groups or their model-level permissions in the admin would only confuse.
admin.site.unregister(Group)

# A second factor changes only through its owner's own pages (access.second_factor), which
# end the other sessions and write the audit row; the plugins' device admins would let an
# administrator delete or add a device silently, i.e. take an account over.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only and holds no case content."""

    list_display = (
        "at",
        "username",
        "organisation",
        "action",
        "object_type",
        "object_id",
        "view_name",
        "purpose_shown",
    )
    readonly_fields = ("purpose_shown",)
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id")
    list_select_related = ("organisation",)
    date_hierarchy = "at"

    @admin.display(description=_("purpose"))
    def purpose_shown(self, obj: AuditEvent) -> str:
        return obj.purpose_label()

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
