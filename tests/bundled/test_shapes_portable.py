"""The shapes are standard SHACL, so that any validator reads them (issue 15, item 6).

SHACL patterns are XPath regular expressions (SHACL §4.7.1), which have no
look-around; a SPARQL-based constraint must not use MINUS, VALUES or SERVICE, and
every sub-query must project the pre-bound $this (SHACL §5.3.1). Three independent
validators refused the file when it broke these rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.stores.values import code_only

SHAPES = Path(__file__).resolve().parents[2] / "ontology" / "shapes.ttl"


def _shapes() -> Graph:
    graph = Graph()
    graph.parse(SHAPES)
    return graph


def _queries() -> list[str]:
    graph = _shapes()
    return sorted(str(o) for p in (SH.select, SH.ask) for o in graph.objects(None, p))


def test_patterns_are_xpath_regular_expressions() -> None:
    patterns = sorted(str(o) for o in _shapes().objects(None, SH.pattern))
    assert patterns, "the shapes have patterns"
    # "(?" opens look-ahead, look-behind, inline flags and non-capturing groups: none
    # is XPath 2.0 syntax.
    assert [p for p in patterns if "(?" in p] == []


def test_sparql_constraints_keep_to_what_shacl_allows() -> None:
    queries = _queries()
    assert queries, "the shapes have SPARQL constraints"
    for text in queries:
        code = code_only(text)
        for keyword in ("MINUS", "VALUES", "SERVICE"):
            assert not re.search(rf"\b{keyword}\b", code, re.IGNORECASE), (keyword, text)
        selects = [m.end() for m in re.finditer(r"\bSELECT\b", code, re.IGNORECASE)]
        for start in selects[1:]:
            projection = re.split(r"\bWHERE\b|\{", code[start:], maxsplit=1, flags=re.I)[0]
            assert re.search(r"[$?]this\b", projection), f"a sub-query must project $this:\n{text}"


def _text_file_pattern() -> re.Pattern[str]:
    graph = _shapes()
    from kg.model.namespaces import MSS

    pattern = graph.value(MSS["SourceDocument-textFile"], SH.pattern)
    assert pattern is not None
    return re.compile(str(pattern))


@pytest.mark.parametrize(
    "path", ["sources/a.txt", ".", "..a", "a/./b", ".hidden/x", "a...b/c", "a/", "x..", "a//b"]
)
def test_text_file_paths_that_stay_below_data_are_accepted(path: str) -> None:
    assert _text_file_pattern().search(path), path


@pytest.mark.parametrize("path", ["/abs/a.txt", "..", "../a.txt", "a/../b", "a/..", "", "/"])
def test_text_file_paths_that_leave_data_are_refused(path: str) -> None:
    assert not _text_file_pattern().search(path), path
