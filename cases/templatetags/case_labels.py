"""The short label beside a case's reference (``cases.selectors.labels``)."""

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..selectors.labels import NO_LABEL

register = template.Library()


@register.simple_tag
def case_label(label: Any, anonymous: Any = False) -> SafeString:
    """The label a list selector annotated (``label``), or "anonymous consult" for a case
    without people; nothing when the installation shows no labels or there is none."""
    if settings.FJC_CASE_LABEL == NO_LABEL:
        return SafeString("")
    text = _("anonymous consult") if anonymous else (label or "")
    if not text:
        return SafeString("")
    return format_html('<span class="case-label muted">{}</span>', text)
