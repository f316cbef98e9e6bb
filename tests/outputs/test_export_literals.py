"""Every literal survives every export format, read back by an independent parser.

Issue 15, item 8: TriG re-indented the lines of a multi-line literal, N-Triples,
N-Quads and TriG split a literal at U+2028 or a form feed, JSON-LD lost `0` and
`false`, RDF/XML turned a carriage return into a newline and wrote ill-formed XML
for U+0007. Each export here is read back by pyoxigraph's parser (rdflib wrote
the stable exports, so its parser would share their mistakes) and compared with
the source files term for term, per named graph where the format keeps them.
See docs/export-and-build.md, "What each format carries".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.knowledge.project import open_knowledge

EX = "http://example.org/fuzz/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MS = "https://w3id.org/motorsport-kg/ontology/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PARSERS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
QUAD_FORMATS = ("nquads", "trig")
STREAM_FORMATS = ("turtle", "ntriples", "nquads", "trig")

# The characters XML 1.0 cannot carry, not even as a character reference.
NOT_IN_XML = [chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)]
CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029"]
TEXTS = [
    *(f"before{c}after" for c in CONTROLS),
    *CONTROLS,
    *(f"line one\n{c}line two" for c in ("\f", "\u2028", "\x85")),
    "\ufffe",
    "\uffff",
    # quotes of both kinds, alone, doubled, tripled, at either end
    '"',
    "'",
    '""',
    '"""',
    "'''",
    '""""',
    'say "hi"',
    '"quoted"',
    'ends with "',
    'ends with ""',
    'a\nends with a quote"',
    'a\nends with three quotes"""',
    'a\n""" in the middle',
    # backslashes
    "\\",
    "a\\b",
    "trailing backslash\\",
    "a\ntrailing backslash\\",
    '\\"',
    "\\n is no newline",
    "\\u0041 is no A",
    # line ends and spaces
    "a\nb",
    "a\n    b",
    "\n\n",
    "line\r\nline",
    "\r\n",
    "a\rb",
    "a\n@prefix ex: <http://example.org/> .",
    "a\n}\n<http://example.org/g> {",
    "",
    " ",
    "  leading",
    "trailing  ",
    "\ttab",
    # long strings
    "x" * 10_000,
    "line\n" * 2_000,
    'é ü 😀 "q" \\ ' * 1_000,
    # outside the basic plane, and private use
    "😀",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "a\U0001f600b",
    "\U0010ffff",
    "\ue000",
    "\ufffd",
    # what means something in one of the formats
    "<tag attr='1'>",
    "&amp; & &#13;",
    "]]>",
    "} {",
    " . ",
    "_:b0",
    "<http://example.org/>",
    "# no comment",
    '{"@id": "x"}',
    "@value",
]
LANGUAGES = ("en", "de-ch")
DATATYPES = (f"{EX}type", f"{XSD}anyURI")


def escaped(text: str) -> str:
    """A string in N-Triples (and Turtle): every character outside printable ASCII as
    \\u or \\U, so that the source file itself has nothing a writer could get wrong."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= ord(char) < 0x7F:
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(f"\\U{ord(char):08X}")
    return '"' + "".join(out) + '"'


def string_lines(texts: Iterable[str]) -> Iterator[str]:
    """Each text in every string-like form, one subject per text, and all of them on
    one subject too (many values for one predicate)."""
    for number, text in enumerate(texts):
        case, value = f"<{EX}case-{number:03d}>", escaped(text)
        yield f"{case} <{EX}plain> {value} ."
        yield f"<{EX}all> <{EX}plain> {value} ."
        for language in LANGUAGES:
            yield f"{case} <{EX}lang> {value}@{language} ."
        for datatype in DATATYPES:
            yield f"{case} <{EX}typed> {value}^^<{datatype}> ."
        yield f"<{EX}labels> <{SKOS}prefLabel> {value}@en ."


# Project terms the JSON-LD context gives a meaning of their own (a language map, an
# IRI), each also holding values of another kind; numbers and booleans in the
# lexical forms every store keeps.
PROJECT_TURTLE = f"""\
@prefix ex: <{EX}> .
@prefix ms: <{MS}> .
@prefix skos: <{SKOS}> .
@prefix xsd: <{XSD}> .
ex:s ex:p 0 , 1 .
ex:t ex:q false , true .
ex:numbers ex:value 0 , 1 , -7 , 1.5 , false , true , "2024-01-27"^^xsd:date ,
    "0"^^ex:type , "false"^^ex:type , "" .
ex:mixed skos:prefLabel "BMW"@en , "BMW"@de , "Bayerische\\nMotoren Werke"@de , "no language" ,
        0 , ex:an-iri ;
    ms:statedIn ex:article , [ ex:p "blank" ] , "a literal" , 0 ;
    ms:summary "a\\u2028b"@en , "Zusammenfassung\\n  eingerückt"@de ;
    ms:carNumber "25" , 25 , "" ;
    a ms:Thing , ex:Other ;
    <{RDF_TYPE}> "a literal type" .
"""


def write_data(folder: Path, texts: Iterable[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "a-strings.nt").write_text(
        "".join(line + "\n" for line in string_lines(texts)), encoding="utf-8"
    )
    (folder / "b-project.ttl").write_text(PROJECT_TURTLE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def every_literal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data(tmp_path_factory.mktemp("fuzz") / "data", TEXTS)


@pytest.fixture(scope="module")
def xml_literals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, less the texts holding a character XML 1.0 cannot carry."""
    texts = [text for text in TEXTS if not any(char in NOT_IN_XML for char in text)]
    return write_data(tmp_path_factory.mktemp("fuzz-xml") / "data", texts)


Graphs = dict[str, set[ox.Triple]]


def source_graphs(data: Path) -> Graphs:
    """Each data file's triples, read by pyoxigraph, under the file's named graph."""
    knowledge = open_knowledge("memory", [data])
    graphs: Graphs = {}
    for name in knowledge.data_graphs:
        item = knowledge.file_of(name)
        assert item is not None
        parser = ox.RdfFormat.N_TRIPLES if item.path.suffix == ".nt" else ox.RdfFormat.TURTLE
        graphs[name] = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(item.path), format=parser)
        }
    return graphs


def exported(run_kg, data: Path, target: Path, format_name: str, *extra: str) -> Graphs:  # type: ignore[no-untyped-def]
    result = run_kg("--data", str(data), "export", "--format", format_name, "-o", str(target),
                    *extra)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # No line break but a newline, so that tools that split lines at the others
    # (Python's str.splitlines, some editors) see the lines the format has.
    text = target.read_text(encoding="utf-8")
    assert text.splitlines() == text.split("\n")[:-1]
    return read_back(target, format_name)


def read_back(target: Path, format_name: str) -> Graphs:
    graphs: Graphs = {}
    for quad in ox.parse(path=str(target), format=PARSERS[format_name]):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        graphs.setdefault(name, set()).add(ox.Triple(quad.subject, quad.predicate, quad.object))
    return graphs


def assert_same(back: Graphs, source: Graphs, format_name: str) -> None:
    """Per named graph for the quad formats, the union for the others; blank nodes
    (one in the fixture) compared by what they say."""
    if format_name in QUAD_FORMATS:
        assert sorted(back) == sorted(source)
        pairs = [(back[name], source[name], name) for name in source]
    else:
        assert list(back) == [""]
        pairs = [(back[""], set().union(*source.values()), "union")]
    for got, expected, name in pairs:
        missing, extra = without_blank_nodes(expected - got), without_blank_nodes(got - expected)
        assert not missing and not extra, (
            name,
            sorted(map(str, missing))[:5],
            sorted(map(str, extra))[:5],
        )
        assert blank_node_triples(got) == blank_node_triples(expected), name


def without_blank_nodes(triples: set[ox.Triple]) -> set[ox.Triple]:
    return {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}


def blank_node_triples(triples: set[ox.Triple]) -> list[tuple[str, str, str]]:
    """The triples touching a blank node, with the blank nodes left out of the names."""

    def name(term: object) -> str:
        return "_" if isinstance(term, ox.BlankNode) else str(term)

    return sorted(
        (name(t.subject), name(t.predicate), name(t.object))
        for t in triples
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
    )


# --- the minimal inputs of the issue ----------------------------------------------------


def data_of(tmp_path: Path, turtle: str) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.ttl").write_text(f"@prefix ex: <{EX}> .\n{turtle}", encoding="utf-8")
    return data


def literals_of(graphs: Graphs) -> set[str]:
    return {t.object.value for triples in graphs.values() for t in triples}


@pytest.mark.parametrize("stream", [False, True], ids=["stable", "stream"])
def test_trig_keeps_the_lines_of_a_multi_line_literal_as_they_are(
    run_kg, tmp_path: Path, stream: bool
) -> None:
    data = data_of(tmp_path, 'ex:u ex:r "a\\nb" , "c\\n    d" .\n')
    back = exported(run_kg, data, tmp_path / "out.trig", "trig", *(["--stream"] if stream else []))
    assert literals_of(back) == {"a\nb", "c\n    d"}


@pytest.mark.parametrize("stream", [False, True], ids=["stable", "stream"])
@pytest.mark.parametrize("format_name", ["ntriples", "nquads", "trig", "turtle"])
def test_no_format_splits_a_literal_at_a_line_separator_or_form_feed(
    run_kg, tmp_path: Path, format_name: str, stream: bool
) -> None:
    data = data_of(tmp_path, 'ex:v ex:r "x\\u2028y" , "f\\fg" , "n\\u0085l" , "p\\u2029q" .\n')
    target = tmp_path / f"out.{format_name}"
    back = exported(run_kg, data, target, format_name, *(["--stream"] if stream else []))
    assert literals_of(back) == {"x\u2028y", "f\fg", "n\x85l", "p\u2029q"}


def test_jsonld_keeps_zero_and_false(run_kg, tmp_path: Path) -> None:
    data = data_of(tmp_path, "ex:s ex:p 0 , 1 .\nex:t ex:q false , true .\n")
    back = exported(run_kg, data, tmp_path / "out.jsonld", "jsonld")
    assert sorted((t.object.value, t.object.datatype.value) for t in back[""]) == [
        ("0", f"{XSD}integer"),
        ("1", f"{XSD}integer"),
        ("false", f"{XSD}boolean"),
        ("true", f"{XSD}boolean"),
    ]


def test_rdfxml_keeps_a_carriage_return(run_kg, tmp_path: Path) -> None:
    data = data_of(tmp_path, 'ex:v ex:r "c\\rd" , "e\\r\\nf" .\n')
    target = tmp_path / "out.rdf"
    back = exported(run_kg, data, target, "rdfxml")
    assert literals_of(back) == {"c\rd", "e\r\nf"}
    assert b"c&#13;d" in target.read_bytes()


@pytest.mark.parametrize("char", NOT_IN_XML, ids=lambda c: f"U+{ord(c):04X}")
def test_rdfxml_refuses_a_character_xml_cannot_carry(run_kg, tmp_path: Path, char: str) -> None:
    data = data_of(tmp_path, f'ex:v ex:r "fine" .\nex:w ex:r "a{escaped(char)[1:-1]}b" .\n')
    target = tmp_path / "out.rdf"
    target.write_text("old content\n")
    result = run_kg("--data", str(data), "export", "--format", "rdfxml", "-o", str(target))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert f"<{EX}w> <{EX}r>" in result.stderr
    assert f"U+{ord(char):04X}" in result.stderr
    assert "data/a.ttl" in result.stderr
    assert "XML 1.0 cannot carry" in result.stderr
    assert "--format turtle" in result.stderr
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.rdf"]
    to_stdout = run_kg("--data", str(data), "export", "--format", "rdfxml")
    assert (to_stdout.exit_code, to_stdout.stdout) == (3, "")


# --- every literal, every format ----------------------------------------------------------


def test_the_source_files_hold_every_text(every_literal: Path) -> None:
    # The escapes of the source files are the test's own: check that they mean the texts.
    strings = source_graphs(every_literal)
    plain = {
        t.object.value
        for triples in strings.values()
        for t in triples
        if t.predicate.value == f"{EX}plain" and t.subject.value != f"{EX}all"
    }
    assert plain == set(TEXTS)
    assert len(TEXTS) == len(set(TEXTS))


@pytest.mark.parametrize("format_name", [name for name in PARSERS if name != "rdfxml"])
def test_every_literal_survives_every_format(
    run_kg, tmp_path: Path, every_literal: Path, format_name: str
) -> None:
    back = exported(run_kg, every_literal, tmp_path / "out", format_name)
    assert_same(back, source_graphs(every_literal), format_name)


def test_every_literal_xml_can_carry_survives_rdfxml(
    run_kg, tmp_path: Path, xml_literals: Path
) -> None:
    back = exported(run_kg, xml_literals, tmp_path / "out.rdf", "rdfxml")
    source = source_graphs(xml_literals)
    assert_same(back, source, "rdfxml")
    carried = literals_of(back)
    # Tab, newline, carriage return, DEL, NEL and the Unicode separators are XML characters.
    assert {f"before{c}after" for c in "\t\n\r\x7f\x85\u2028\u2029"} <= carried


@pytest.mark.parametrize("format_name", STREAM_FORMATS)
def test_every_literal_survives_the_streamed_export(
    run_kg, tmp_path: Path, every_literal: Path, format_name: str
) -> None:
    back = exported(run_kg, every_literal, tmp_path / "out", format_name, "--stream")
    assert_same(back, source_graphs(every_literal), format_name)


SEED_SCRIPT = """
import sys
from pathlib import Path
from kg.knowledge.project import open_knowledge
from kg.outputs import export as ex
knowledge = open_knowledge("memory", [Path(sys.argv[1])])
selection = ex.select(knowledge)
for name in ex.FORMAT_NAMES:
    if name != "rdfxml":
        sys.stdout.buffer.write(ex.serialize(selection, name).content)
"""


def test_the_literals_give_the_same_bytes_under_any_pythonhashseed(every_literal: Path) -> None:
    outputs = [
        subprocess.run(
            [sys.executable, "-c", SEED_SCRIPT, str(every_literal)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=600,
        ).stdout
        for seed in ("1", "777")
    ]
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_a_sparql_server_exports_every_literal_too(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, every_literal: Path, oxigraph_server
) -> None:
    from kg.stores.sync import open_spec, push

    push(open_spec(oxigraph_server.spec), open_knowledge("memory", [every_literal]).files)
    for format_name in ("nquads", "jsonld"):
        target = tmp_path / f"server-{format_name}"
        result = run_kg("--store", oxigraph_server.spec, "--data", str(every_literal), "export",
                        "--format", format_name, "-o", str(target))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert_same(read_back(target, format_name), source_graphs(every_literal), format_name)
