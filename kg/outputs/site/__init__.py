"""The static site of `kg build`: every page, download and picture, written at the end.

Owns building the site and writing its files (build), the saved queries' pages
(queries), the exports, pictures and ontology reference it links to
(downloads), the index page (index) and the frame and stylesheet every page
shares (layout).

May import: kg.outputs (export, tables, viz, ontology page), kg.answers,
kg.validation, kg.knowledge, kg.stores, kg.model.
"""

from kg.outputs.site.build import BuildResult, build
from kg.outputs.site.queries import stable_rows

__all__ = ["BuildResult", "build", "stable_rows"]
