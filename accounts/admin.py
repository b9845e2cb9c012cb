"""Accounts in the Django admin: invited, never given a password by someone else.

The administrator creates an account without a password and the person receives an
invitation (``accounts.invitations``); the admin has no password form for anyone. Roles added
and a new organisation wait for the person's own login with both factors
(``accounts.services.user_change_access``); what is taken away takes effect at once.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin_edits import EditGuardAdmin

from .invitations import invitation_send
from .models import PendingAccountChange, User
from .services import user_change_access, user_create


def _open_pending(user: User) -> PendingAccountChange | None:
    if user.pk is None:
        return None
    return (
        user.pending_changes.filter(applied_at__isnull=True)
        .select_related("organisation")
        .prefetch_related("roles")
        .first()
    )


def _actor(request: HttpRequest) -> User:
    # The admin answers signed-in staff only.
    assert isinstance(request.user, User)
    return request.user


class AccountCreationForm(forms.ModelForm):
    """No password fields: the person chooses their own through the invitation."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "organisation", "roles")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The invitation to choose a password is sent here.")


class AccountChangeForm(forms.ModelForm):
    """Shows what the administrator asked for: the roles and organisation in effect plus the
    ones still waiting, so that saving the page unchanged keeps a waiting change."""

    class Meta:
        model = User
        fields = (
            "username",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "roles",
            "is_active",
            "is_staff",
            "is_superuser",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = _open_pending(self.instance)
        if pending is None:
            return
        if "roles" in self.fields:
            current = {r.pk for r in self.instance.roles.all()}
            self.initial["roles"] = sorted(current | {r.pk for r in pending.roles.all()})
        if "organisation" in self.fields and pending.organisation_id is not None:
            self.initial["organisation"] = pending.organisation_id


@admin.register(User)
class UserAdmin(EditGuardAdmin, BaseUserAdmin):
    """Accounts only. Group membership follows from organisation and roles, so it is not editable;
    object-level case grants are never shown here."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("organisation", "roles", "is_active")
    list_select_related = ("organisation",)
    # A handful of roles: plain checkboxes, which unlike Django's filter_horizontal widget
    # carry no ARIA attribute that axe-core rejects.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    actions = ["send_invitation"]
    fieldsets = (
        (None, {"fields": ("username", "password_status")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Organisation and roles"), {"fields": ("organisation", "roles", "pending_changes")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "organisation",
                    "roles",
                ),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = ["password_status", "pending_changes", "last_login", "date_joined"]
        if not request.user.is_superuser:
            # Only a superuser makes staff or superusers: no administrator raises themselves.
            readonly += ["is_staff", "is_superuser"]
            if obj is not None and obj.pk == request.user.pk:
                # Nor through their own account: a case role added there would open case
                # content after their next login, a lifted deactivation undo a colleague's.
                readonly += ["organisation", "roles", "is_active"]
        return readonly

    @staticmethod
    def _superusers_own(request: HttpRequest, obj: Any) -> bool:
        """A superuser's account (its address, its invitations) is a superuser's to change or
        delete: otherwise an administrator could send its password link to their own address."""
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._superusers_own(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._superusers_own(request, obj) and super().has_delete_permission(
            request, obj
        )

    @admin.display(description=_("Password"))
    def password_status(self, obj: User) -> str:
        if obj.has_usable_password():
            return gettext("Set by the person through their invitation.")
        return gettext("Not set yet: the person sets it through their invitation.")

    @admin.display(description=_("Waiting for the person's next login"))
    def pending_changes(self, obj: User) -> str:
        pending = _open_pending(obj)
        if pending is None:
            return "-"
        lines = [(gettext("Roles to add"), ", ".join(str(r) for r in pending.roles.all()) or "-")]
        if pending.organisation is not None:
            lines.append((gettext("New organisation"), str(pending.organisation)))
        lines.append((gettext("Requested by"), str(pending.requested_by or "-")))
        return format_html_join("", "<p>{}: {}</p>", lines)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """No one sets another person's password: a new invitation is the only way."""
        raise PermissionDenied

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            # The organisation goes through user_change_access (save_related), not the form.
            obj.organisation_id = (
                type(obj).objects.values_list("organisation", flat=True).get(pk=obj.pk)
            )
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = user_create(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation=data["organisation"],
            roles=[r.code for r in data["roles"]],
            by=_actor(request),
        )
        # The admin goes on with its own instance (the change message, the redirect).
        obj.__dict__.update(created.__dict__)
        invitation_send(user=created, by=_actor(request), request=request)
        self.message_user(request, gettext("An invitation was sent to %s.") % created.email)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Not form.save_m2m(): the roles go through the service, where grants wait.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        # Left out of the form (an administrator's own account): nothing asked, nothing changed.
        if change and "roles" in form.fields:
            user_change_access(
                user=form.instance,
                by=_actor(request),
                organisation=form.cleaned_data.get("organisation"),
                roles=form.cleaned_data.get("roles", []),
            )
            form.instance.__dict__.pop("role_codes", None)

    @admin.action(
        description=_("Send a new invitation (earlier links stop working)"),
        permissions=["change"],
    )
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset:
            if not self.has_change_permission(request, user):
                self.message_user(
                    request,
                    gettext("%s is not an account you may change: no invitation sent.") % user,
                    messages.WARNING,
                )
                continue
            if not user.email:
                self.message_user(
                    request,
                    gettext("%s has no e-mail address: no invitation sent.") % user,
                    messages.WARNING,
                )
                continue
            if user.shares_address():
                self.message_user(
                    request,
                    gettext("%s has the e-mail address of another account: no invitation sent.")
                    % user,
                    messages.WARNING,
                )
                continue
            invitation_send(user=user, by=_actor(request), request=request)
            sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent,
            )
