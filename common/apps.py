from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """Shared machinery; an app only for the one table it needs (``SubmissionToken``)."""

    name = "common"
    verbose_name = _("Common")
