"""What every page must pass, in a browser or not (issue 16, item 6): a valid HTML document,
no axe-core violation of WCAG 2.1 A/AA, no horizontal scrolling at 375 px.

The Nu Html Checker needs Java, which CI lacks; the checks here cover what it found and what
matters to assistive technology: an HTML5 parse without a single parse error (an unescaped
``< 5`` in text is one), no duplicate ids, and every ``<time datetime>`` value a valid
date/time string as the HTML standard defines it.
"""

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import html5lib

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

# --- HTML: the "valid date and/or time string" grammar of <time datetime> ----------------------
# HTML Living Standard, 2.3.5 "Dates and times" and 4.5.14 "The time element": the datetime
# value is one of the microsyntaxes below. Fractions of a second have one to three digits.
_YEAR = r"\d{4,}"
_MONTH = rf"{_YEAR}-(?:0[1-9]|1[0-2])"
_DATE = rf"{_MONTH}-(?:0[1-9]|[12]\d|3[01])"
_YEARLESS = r"(?:--)?(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?"
_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
_LOCAL = rf"{_DATE}[T ]{_TIME}"
_GLOBAL = rf"{_LOCAL}{_OFFSET}"
_WEEK = rf"{_YEAR}-W(?:0[1-9]|[1-4]\d|5[0-3])"
# A duration: the ISO 8601 form (at least one component) or the list of components.
_ISO_DURATION = r"P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,3})?S)?)?"
_DURATION_PARTS = r"(?:\s*(?:\d+\s*[WwDdHhMm]|\d+(?:\.\d{1,3})?\s*[Ss]))+\s*"
DATETIME_VALUE = re.compile(
    "|".join(
        f"(?:{form})"
        for form in (
            _MONTH,
            _DATE,
            _YEARLESS,
            _TIME,
            _LOCAL,
            _OFFSET,
            _GLOBAL,
            _WEEK,
            _YEAR,
            _ISO_DURATION,
            _DURATION_PARTS,
        )
    )
)


def is_valid_datetime_value(value: str) -> bool:
    return DATETIME_VALUE.fullmatch(value) is not None


def html_problems(html: str) -> list[str]:
    """Every reason the document is not valid HTML, as far as these checks see; [] when none.
    A response without doctype and <html> is a fragment that htmx swaps into a page (a run's
    status), parsed as the content of an element."""
    parser = html5lib.HTMLParser(tree=html5lib.treebuilders.getTreeBuilder("etree"))
    start = html.lstrip()[:200].lower()
    if start.startswith("<!doctype") or "<html" in start:
        document = parser.parse(html)
    else:
        document = parser.parseFragment(html, container="div")
    problems = []
    for (line, column), code, data in parser.errors:
        context = html.splitlines()[line - 1][max(column - 40, 0) : column + 20] if line else ""
        problems.append(f"parse error {code} {data or ''} at {line}:{column}: {context.strip()!r}")
    seen: set[str] = set()
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        local = element.tag.rsplit("}", 1)[-1]
        ident = element.get("id")
        if ident is not None:
            if ident in seen:
                problems.append(f"duplicate id {ident!r}")
            seen.add(ident)
        if local == "time" and element.get("datetime") is not None:
            value = element.get("datetime", "")
            if not is_valid_datetime_value(value):
                problems.append(f"invalid <time datetime={value!r}>")
    return problems


# --- Browser: axe-core, reflow, screenshots --------------------------------------------------
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW: "ViewportSize" = {"width": 375, "height": 812}
WIDE: "ViewportSize" = {"width": 1280, "height": 900}


def axe_violations(page: Any) -> list[str]:
    """axe-core (bundled by axe-playwright-python, injected by Playwright's evaluate, which the
    page's CSP does not govern) on the page as it is: one line per violated rule."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def narrow_width(page: Any) -> tuple[int, int]:
    """(document width, viewport width) at 375 px; the page is put back to its wide size by
    the caller. scrollWidth forces a layout, so no waiting is needed after the resize."""
    page.set_viewport_size(NARROW)
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return int(width), int(viewport)


def artefacts_dir() -> Path:
    """Where screenshots go: $FJC_TEST_ARTIFACTS, else test-artifacts/ (git-ignored)."""
    default = Path(__file__).resolve().parent.parent / "test-artifacts"
    return Path(os.environ.get("FJC_TEST_ARTIFACTS") or default)
