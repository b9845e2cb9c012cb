from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionToken(models.Model):
    """A create form's one-time token, written in the same transaction as what it created.

    The row exists only once the creation committed: a second submission of the same form
    (double click, back button, a retry after a timeout) finds it and is sent to
    ``result_url`` instead of creating again (``common.submission``).
    """

    nonce = models.CharField(_("token"), max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    result_url = models.CharField(_("created object"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        default_permissions = ()

    def __str__(self) -> str:
        return self.nonce
