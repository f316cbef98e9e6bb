"""The ontology page's table of contents agrees with the sections it lists.

Regression test for issue 16: every contents entry said "(10)", the count of the
last group of properties, whatever the section held.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kg.knowledge.project import open_knowledge
from kg.outputs.ontology_doc import render_body


class Contents(HTMLParser):
    """Each contents entry: its anchor, the count it states and the items listed under it;
    and each section: the number of terms it describes."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # <ol> nesting inside the contents
        self.in_toc = False
        self.entries: dict[str, dict[str, int]] = {}
        self.current: str | None = None
        self.after_link = False
        self.section: str | None = None
        self.terms: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "nav" and found.get("class") == "toc":
            self.in_toc = True
        elif self.in_toc and tag == "ol":
            self.depth += 1
        elif self.in_toc and tag == "a" and self.depth == 1:
            self.current = (found.get("href") or "").lstrip("#")
            self.entries[self.current] = {"stated": -1, "listed": 0}
        elif self.in_toc and tag == "li" and self.depth == 2 and self.current:
            self.entries[self.current]["listed"] += 1
        elif tag == "section" and found.get("class") == "term" and self.section:
            self.terms[self.section] = self.terms.get(self.section, 0) + 1
        elif tag == "section" and found.get("id") in self.entries:
            self.section = found.get("id")

    def handle_endtag(self, tag: str) -> None:
        if self.in_toc and tag == "ol":
            self.depth -= 1
        elif self.in_toc and tag == "nav":
            self.in_toc = False
        elif self.in_toc and tag == "a" and self.depth == 1:
            self.after_link = True

    def handle_data(self, data: str) -> None:
        if self.after_link and self.current:
            match = re.match(r"\s*\((\d+)\)", data)
            if match:
                self.entries[self.current]["stated"] = int(match.group(1))
            self.after_link = False


@pytest.fixture(scope="module")
def contents() -> Contents:
    parser = Contents()
    parser.feed(render_body(open_knowledge().ontology()))
    return parser


def test_the_contents_list_every_section(contents: Contents) -> None:
    assert {"classes", "object-properties", "concept-schemes"} <= set(contents.entries)


def test_each_contents_count_is_the_number_of_items_listed(contents: Contents) -> None:
    for slug, entry in contents.entries.items():
        assert entry["listed"] > 0, slug
        assert entry["stated"] == entry["listed"], f"{slug}: {entry}"


def test_each_contents_count_is_the_number_of_terms_in_its_section(contents: Contents) -> None:
    for slug, entry in contents.entries.items():
        assert entry["stated"] == contents.terms.get(slug, 0), slug


def test_the_counts_differ_between_sections(contents: Contents) -> None:
    # The bundled ontology has far more classes than concept schemes.
    stated = {slug: entry["stated"] for slug, entry in contents.entries.items()}
    assert stated["classes"] > stated["concept-schemes"], stated
