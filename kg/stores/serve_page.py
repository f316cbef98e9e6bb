"""The query page of `kg serve`: a small page of kg's own, shipped in kg/stores/page/.

HTML, CSS and plain JavaScript, no library and nothing from the web: the page, its
script, its style, its icon and its catalogue (kg's prefixes, an example query, the
saved queries) all come from the front, through the same server as the queries,
under a Content-Security-Policy that lets the page load and connect only to its own
origin. The page sends its queries to /query like any client.

What the page lists is given by the caller (`kg serve` reads the saved queries);
this module only serves it.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib.resources import files

from kg.model.namespaces import PREFIXES

# Only its own origin, for everything; no inline script or style, no frames, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
# Path on the server -> (file in kg/stores/page/, content type).
_FILES = {
    "/": ("query.html", "text/html; charset=utf-8"),
    "/page/query.css": ("query.css", "text/css; charset=utf-8"),
    "/page/query.js": ("query.js", "text/javascript; charset=utf-8"),
    "/page/icon.svg": ("icon.svg", "image/svg+xml"),
}
CATALOGUE_PATH = "/page/catalogue.json"

# The query the editor opens with, after kg's PREFIX lines.
EXAMPLE_QUERY = """\
# Class winners of every race of the 2024 season, from the official results.
# Change the query and press Run (or Ctrl+Enter); saved queries are listed on the left.
SELECT ?raceStart ?event ?className ?carNumber ?entrantName ?laps
WHERE {
  ?event ms:season msr:imsa-wtscc-2024 .
  ?race ms:partOfEvent ?event ;
      ms:sessionKind msv:Race .
  ?entry ms:session ?race ;
      ms:racingClass ?class .
  ?result ms:entry ?entry ;
      ms:classPosition 1 .
  OPTIONAL { ?race ms:startTime ?raceStart }
  OPTIONAL { ?class skos:prefLabel ?className FILTER (LANG(?className) = "en") }
  OPTIONAL { ?entry ms:carNumber ?carNumber }
  OPTIONAL {
    ?entry ms:entrant ?entrant .
    ?entrant skos:prefLabel ?entrantName FILTER (LANG(?entrantName) = "en")
  }
  OPTIONAL { ?result ms:lapsCompleted ?laps }
}
ORDER BY ?raceStart ?className
LIMIT 500
"""


@dataclass(frozen=True)
class ListedParameter:
    """A saved query's parameter as the page explains it."""

    name: str
    type: str
    meaning: str
    default: str | None


@dataclass(frozen=True)
class ListedQuery:
    """A saved query as the page lists it; `text` is what the editor gets (its
    parameters bound in the text, for the user to change)."""

    name: str
    title: str
    description: str
    text: str
    parameters: tuple[ListedParameter, ...] = ()


@dataclass(frozen=True)
class PageFile:
    content_type: str
    body: bytes


class QueryPage:
    """The page's files, read once when the server starts."""

    def __init__(self, saved_queries: Sequence[ListedQuery] = (), example: str = EXAMPLE_QUERY):
        folder = files("kg.stores") / "page"
        self._files = {
            path: PageFile(kind, (folder / name).read_bytes())
            for path, (name, kind) in _FILES.items()
        }
        catalogue = {
            "prefixes": [[label, namespace] for label, namespace in PREFIXES.items()],
            "example": example,
            "queries": [asdict(query) for query in saved_queries],
        }
        self._files[CATALOGUE_PATH] = PageFile(
            "application/json", json.dumps(catalogue, ensure_ascii=False).encode("utf-8")
        )

    def file_for(self, target: str, accept: str | None) -> PageFile | None:
        """The file a GET of `target` (path and query string) asks for, or None.

        `/query` with no parameters from a browser (which accepts HTML) is the page too:
        it is the address `kg serve` prints, and without a query it is no SPARQL request.
        """
        url = urllib.parse.urlsplit(target)
        if url.path == "/query":
            return self._files["/"] if not url.query and _accepts_html(accept) else None
        return self._files.get(url.path)

    @property
    def headers(self) -> Mapping[str, str]:
        return PAGE_HEADERS


def _accepts_html(accept: str | None) -> bool:
    """Whether an Accept header takes text/html (at a quality above 0)."""
    for part in (accept or "").split(","):
        kind, *parameters = part.split(";")
        if kind.strip().lower() != "text/html":
            continue
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False
