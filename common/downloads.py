"""Serving a stored file as a download: the headers that keep a browser from guessing.

A file kept in private storage reaches a user only through a view that checked access and
wrote an audit row; this builds that view's response. The content type is the one the server
decided when the file was accepted (``common.uploads``), never the uploader's claim; the
browser is told not to sniff (``nosniff``) and to save rather than show the file
(``attachment``), so a document cannot run as a page of this site. The name is given twice
(RFC 6266): an ASCII fallback for old clients and the exact name as UTF-8 (RFC 5987).
"""

import re
import unicodedata
from typing import IO
from urllib.parse import quote

from django.http import FileResponse

# Characters kept in the ASCII fallback name; anything else becomes "_".
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def ascii_filename(name: str, *, default: str = "document") -> str:
    """A plain ASCII name for ``filename=``: accents dropped, quotes, slashes, control and
    other characters replaced, no leading dot, at most 100 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    decomposed = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", decomposed).strip(" .")
    if len(cleaned) > 100:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = (stem[: 99 - len(extension)] + dot + extension) if dot else cleaned[:100]
    return cleaned or default


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact name as ``filename*``."""
    exact = name.replace("\\", "/").rsplit("/", 1)[-1]
    exact = "".join(ch for ch in exact if unicodedata.category(ch)[0] != "C") or "document"
    return f"attachment; filename=\"{ascii_filename(exact)}\"; filename*=UTF-8''{quote(exact)}"


def attachment_response(file: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """A download of ``file`` under ``filename`` with the stored ``content_type``."""
    response = FileResponse(file, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    # A document holds case data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response
