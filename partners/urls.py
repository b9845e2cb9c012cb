"""The partner pages. ``fjc/urls.py`` mounts them in the ``partners`` namespace, together with
the page that signals a gap from a case (``cases.views.gaps``), which sits a layer above."""

from .views import urlpatterns

__all__ = ["urlpatterns"]
