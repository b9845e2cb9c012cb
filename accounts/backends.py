"""The authentication backends: Django's ``ModelBackend``, with the user's organisation read
in the same query as the user, and the model permissions that come with a role.

Every signed-in page names the user's organisation in its header (``templates/base.html``)
and most views read ``user.organisation_id`` or the organisation itself: loaded with the
user, it costs no query of its own (issue 20). The row is read afresh at each request, as the
user's is, so a moved user shows the new organisation on the next page.
"""

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend

from accounts.roles import ROLE_PERMISSIONS


class UserWithOrganisationBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from accounts.models import User

        try:
            user = User._default_manager.select_related("organisation").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> Any:
        from accounts.models import User

        try:
            user = await User._default_manager.select_related("organisation").aget(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class RolePermissionBackend(BaseBackend):
    """The model permissions that come with a person's roles (``accounts.roles.
    ROLE_PERMISSIONS``): what the administrator role may do in ``/admin/``, held while the
    role is, with no permission rows to keep in step.

    Model permissions only: asked about an object it answers nothing, so a grant on a case
    never comes from here (``guardian`` and ``access.policy`` decide those).
    """

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        # An anonymous user is never active.
        if obj is not None or not user_obj.is_active:
            return set()
        permissions: set[str] = set()
        for code in user_obj.role_codes:
            permissions |= ROLE_PERMISSIONS.get(code, frozenset())
        return permissions

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
