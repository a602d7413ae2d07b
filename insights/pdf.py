"""Server-rendered PDFs: a Django template rendered by WeasyPrint, without touching the network.

A document about students must not reach out while it renders: a stray ``<img src="https://…">``
would tell a third party that a record is being printed (and could hang the worker on a slow host).
So WeasyPrint fetches through ``StaticFilesOnlyFetcher`` (insights/pdf_fetcher.py): our own static
files are read from disk, ``data:`` URLs are decoded in memory, and every other URL is refused
(WeasyPrint then leaves that resource out and renders the rest). Fonts come from the system through
fontconfig, never a URL.

Relative links resolve against ``SITE_URL``, so a link in a PDF opens the instance it came from.

WeasyPrint is imported when the first document is rendered: loading it (Pango, HarfBuzz, the font
tables) took 0.65 s, which every process paid at start, through the admin's modules, whether it
ever printed or not.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template (usually extending ``pdf/base.html``) rendered with the context, as PDF bytes.

    ``pdf/base.html`` expects ``generated_by`` (a name) and ``generated_at`` (a datetime) for its
    footer; the district's name is added here, as no request's context processors run.
    """
    from weasyprint import HTML  # on first use (the module's docstring says why)

    from insights.pdf_fetcher import StaticFilesOnlyFetcher  # it needs WeasyPrint too

    html = render_to_string(template_name, {"district_name": settings.DISTRICT_NAME, **context})
    document = HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesOnlyFetcher())
    return document.write_pdf()


def base_url() -> str:
    """Where the document's relative URLs point: this instance's public address."""
    return (settings.SITE_URL or "http://localhost") + "/"


def static_file_path(url: str) -> Path | None:
    """The file on disk behind a URL of this instance's static files, or None for any other URL."""
    static_prefix = urlsplit(base_url() + settings.STATIC_URL.lstrip("/"))
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (static_prefix.scheme, static_prefix.netloc):
        return None
    if not parts.path.startswith(static_prefix.path):
        return None
    name = unquote(parts.path.removeprefix(static_prefix.path))
    if not name or ".." in Path(name).parts:
        return None
    # Collected (hashed) names in production; the source folders in development.
    try:
        collected = Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, NotImplementedError):
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None
