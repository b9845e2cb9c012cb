"""HTML to PDF with WeasyPrint, reading nothing but the static folder on disk.

Used for the annual report and a consultation's agenda and minutes. Nothing is fetched
over the network: stylesheets and fonts come from the static folder, any other URL is refused.
"""

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def _url_fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Files under the static folder only: no network, no other file on the server."""

        # The messages name the annual report, the best known of these documents.
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme != "file":
                raise ValueError("The annual report (like every PDF) loads no external resources.")
            path = Path(unquote(parsed.path)).resolve()
            if not path.is_relative_to(STATIC_DIR.resolve()):
                raise ValueError("The annual report (like every PDF) reads static files only.")
            return super().fetch(url, headers)

    return StaticOnlyFetcher


_font_config: Any = None


def _fonts() -> Any:
    # One FontConfiguration per process: building it scans the system's fonts.
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=_url_fetcher_class()(allowed_protocols=("file",)),
    )
    pdf = document.write_pdf(font_config=_fonts())
    assert pdf is not None
    return bytes(pdf)
