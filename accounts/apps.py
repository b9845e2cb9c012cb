from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _apply_pending_changes(sender: Any, *, user: Any, **kwargs: Any) -> None:
    from .services import pending_changes_apply

    pending_changes_apply(user=user)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from .signals import second_factor_verified

        # Grants an administrator asked for take effect once the person logged in with their
        # own password and second factor (accounts.services.user_change_access).
        second_factor_verified.connect(
            _apply_pending_changes, dispatch_uid="accounts.apply_pending_changes"
        )
