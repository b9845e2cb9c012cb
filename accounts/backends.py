"""The authentication backend: Django's ``ModelBackend``, with the user's organisation read
in the same query as the user.

Every signed-in page names the user's organisation in its header (``templates/base.html``)
and most views read ``user.organisation_id`` or the organisation itself: loaded with the
user, it costs no query of its own (issue 20). The row is read afresh at each request, as the
user's is, so a moved user shows the new organisation on the next page.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend


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
