"""PDF rendering with WeasyPrint, fetching nothing but the project's own static files."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "/" + settings.STATIC_URL.strip("/") + "/"
# Relative URLs in templates (`css/letters.css`) resolve against the static prefix.
BASE_URL = "file://" + STATIC_PREFIX


class StaticFilesOnly(URLFetcher):
    """Serves the project's static files and data: URLs; refuses everything else (http, other files).

    A refused resource is left out of the PDF and logged by WeasyPrint; the rendering goes on.
    """

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == "file" and not parsed.netloc and unquote(parsed.path).startswith(STATIC_PREFIX):
            relative = unquote(parsed.path).removeprefix(STATIC_PREFIX)
            found = finders.find(relative) if ".." not in Path(relative).parts else None
            if found:
                content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"Refused to fetch {url!r} while rendering a PDF")


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
