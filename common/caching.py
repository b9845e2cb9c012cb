"""Marking a view whose responses a browser may keep (``fjc.middleware.NoStoreMiddleware``).

Every response to a signed-in user is ``Cache-Control: no-store`` by default, because pages,
CSV/XLSX files and PDFs hold client names that a shared or stolen computer's disk cache must
not keep (OWASP ASVS 8.2.1). A view that shows no case data and gains from caching opts out
with :func:`browser_may_store`; its docstring should say why.
"""

from collections.abc import Callable
from typing import Any

OPT_OUT_ATTRIBUTE = "browser_may_store"


def browser_may_store[V: Callable[..., Any]](view: V) -> V:
    """Decorate a view function (or a class-based view's ``as_view()``) to keep its own
    caching headers."""
    setattr(view, OPT_OUT_ATTRIBUTE, True)
    return view


def allows_browser_storage(view: Any) -> bool:
    return bool(
        getattr(view, OPT_OUT_ATTRIBUTE, False)
        or getattr(getattr(view, "view_class", None), OPT_OUT_ATTRIBUTE, False)
    )
