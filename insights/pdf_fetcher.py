"""What WeasyPrint may fetch while it renders a PDF: our static files and ``data:`` URLs, nothing else.

Apart from insights/pdf.py because it subclasses WeasyPrint's fetcher, and WeasyPrint is imported
only when a document is rendered.
"""

import mimetypes

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from insights.pdf import static_file_path


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves our static files and ``data:`` URLs; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"})

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file_path(url)
        if path is None:
            raise URLFetchingError("Only the application's own static files are rendered into PDFs.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
