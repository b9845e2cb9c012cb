"""Type aliases for the user a function acts for or shows data to.

Services act for a signed-in staff member and take ``accounts.models.User`` itself. What may
also be handed ``request.user`` (the access policy, the audit trail) takes :data:`AnyUser`.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for the checker: the alias is evaluated lazily, so importing this module neither
    # loads the models nor needs the app registry.
    from django.contrib.auth.models import AnonymousUser

    from .models import User

type AnyUser = User | AnonymousUser
