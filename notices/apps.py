from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Notices that reach people (issue 17, part 2): in the app and by e-mail."""

    name = "notices"
    verbose_name = _("Notices")
