"""The store layer: specs and config, the on-disk index (freshness, crash repair), bindings,
graph restriction, and the same answers from every backend (memory, the embedded index,
a real Oxigraph server)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from kg.knowledge.project import Knowledge, open_knowledge
from kg.model.errors import InputError, StoreError, UsageError
from kg.stores.base import QueryResult
from kg.stores.config import configured_spec, default_index_location, parse_spec, redact
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph_store import OxigraphStore
from kg.stores.sync import open_spec, push

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stores"
MSR = "https://w3id.org/motorsport-kg/id/"
PREFIXES = """PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX msr: <https://w3id.org/motorsport-kg/id/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the fixture data, free to edit."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", folder)
    return folder


def _show(term: object) -> str:
    if term is None:
        return "UNBOUND"
    if isinstance(term, BNode):
        return "_:b"  # blank node labels differ per backend
    assert isinstance(term, URIRef | Literal)
    return term.n3()


def rows(result: QueryResult) -> list[tuple[str, ...]]:
    """Rows as sorted text, blank nodes made anonymous."""
    return sorted(tuple(_show(term) for term in row) for row in result.rows)


def count(knowledge: Knowledge, graphs: list[str] | None = None) -> int:
    result = knowledge.store.query(COUNT, graphs=graphs)
    value = result.rows[0][0]
    assert isinstance(value, Literal)
    return int(value)


def index_spec(tmp_path: Path) -> str:
    return f"oxigraph:{tmp_path / 'index'}"


# -- specs and configuration -------------------------------------------------------------


def test_specs_are_parsed() -> None:
    assert parse_spec("memory").kind == "memory"
    assert parse_spec("oxigraph").location is None
    assert parse_spec("oxigraph:/tmp/x").location == "/tmp/x"
    spec = parse_spec("sparql:http://h:1/q?gsp=http://h:1/store&update=http://h:1/u&x=1")
    assert (spec.kind, spec.location, spec.gsp_url, spec.update_url) == (
        "sparql",
        "http://h:1/q?x=1",
        "http://h:1/store",
        "http://h:1/u",
    )


@pytest.mark.parametrize("spec", ["postgres", "memory:x", "sparql:", "sparql:ftp://host/q"])
def test_bad_spec_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError, match="store"):
        parse_spec(spec)


def test_bad_spec_exits_2(run_kg) -> None:
    result = run_kg("--store", "postgres", "query", "-e", "ASK {}")
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: unknown store 'postgres' (from --store): use oxigraph, oxigraph:PATH, "
        "memory or sparql:QUERY_URL (see 'kg --help')\n"
    )


def test_redact_removes_credentials() -> None:
    assert redact("http://ann:s3cret@host:8/q?x=1") == "http://host:8/q?x=1"


def test_config_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_STORE", raising=False)
    assert configured_spec(tmp_path) == ("oxigraph", "the default")
    (tmp_path / ".kg.toml").write_text('store = "memory"\n', encoding="utf-8")
    assert configured_spec(tmp_path) == ("memory", str(tmp_path / ".kg.toml"))
    (tmp_path / "kg.toml").write_text('store = "oxigraph:/srv/idx"\n', encoding="utf-8")
    assert configured_spec(tmp_path) == ("oxigraph:/srv/idx", str(tmp_path / "kg.toml"))
    monkeypatch.setenv("KG_STORE", "sparql:http://localhost:1/q")
    assert configured_spec(tmp_path)[0] == "sparql:http://localhost:1/q"


def test_config_file_chooses_the_store_for_the_cli(
    run_kg, tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kg.toml").write_text('store = "oxigraph:./my-index"\n', encoding="utf-8")
    result = run_kg("--data", str(data), "query", "-e", COUNT, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "my-index" / "manifest.json").is_file()


def test_broken_config_file_is_a_usage_error(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kg.toml").write_text("store = oxigraph\n", encoding="utf-8")
    result = run_kg("query", "-e", "ASK {}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: {tmp_path / 'kg.toml'}: not valid TOML")


def test_default_index_is_per_data_folders(tmp_path: Path) -> None:
    first = default_index_location([tmp_path / "a"])
    assert first == default_index_location([tmp_path / "a"])
    assert first != default_index_location([tmp_path / "b"])
    assert first.parent.name == "motorsport-kg"


def test_default_store_is_the_index_in_the_cache(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KG_STORE", raising=False)
    knowledge = open_knowledge(None, [data])
    assert isinstance(knowledge.store, OxigraphStore)
    assert knowledge.store.root.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    knowledge.store.close()


# -- the same answers on every backend ------------------------------------------------------

BOUND_QUERIES = [
    # FILTER on the bound variable: a trailing VALUES would filter with ?team unbound.
    (
        PREFIXES + "SELECT ?team ?label WHERE { ?x skos:prefLabel ?label . FILTER(?x = ?team) }",
        {"team": URIRef(MSR + "team-a")},
    ),
    # OPTIONAL that mentions the bound variable.
    (
        PREFIXES
        + "SELECT ?person ?team WHERE { ?person a ms:Person "
        + "OPTIONAL { ?person ms:memberOf ?team FILTER(?team = ?wanted) } }",
        {"wanted": URIRef(MSR + "team-b")},
    ),
    # A literal with quotes and a newline: escaped, never pasted.
    (
        PREFIXES + "SELECT ?team WHERE { ?team skos:prefLabel ?name }",
        {"name": Literal('Team "C"\nline two', lang="en")},
    ),
    # Typed literal and ASK.
    (PREFIXES + "ASK { ?p ms:wins ?n }", {"n": Literal(3)}),
    # CONSTRUCT with a template.
    (
        PREFIXES + "CONSTRUCT { ?t skos:altLabel ?l } WHERE { ?t skos:prefLabel ?l }",
        {"t": URIRef(MSR + "team-b")},
    ),
]


def _answers(knowledge: Knowledge) -> list[object]:
    found: list[object] = []
    for sparql, bindings in BOUND_QUERIES:
        result = knowledge.store.query(sparql, bindings=bindings)
        if result.kind == "ask":
            found.append(result.boolean)
        elif result.kind == "graph":
            assert result.graph is not None
            found.append(sorted(t.n3() for triple in result.graph for t in triple))
        else:
            found.append((result.variables, rows(result)))
    return found


def test_bound_queries_agree_on_every_backend(tmp_path: Path, data: Path, oxigraph_server) -> None:
    memory = open_knowledge("memory", [data])
    expected = _answers(memory)
    assert expected[0] == (
        ("team", "label"),
        sorted(
            [
                (f"<{MSR}team-a>", '"Mannschaft A"@de'),
                (f"<{MSR}team-a>", '"Team A"@en'),
            ]
        ),
    )
    assert expected[1][1] == [  # type: ignore[index]
        (f"<{MSR}rene-rast>", "UNBOUND"),
        (f"<{MSR}sheldon-van-der-linde>", f"<{MSR}team-b>"),
    ]
    assert expected[2][1] == [(f"<{MSR}team-c>",)]  # type: ignore[index]
    assert expected[3] is True
    embedded = open_knowledge(index_spec(tmp_path), [data])
    assert _answers(embedded) == expected
    push(open_spec(oxigraph_server.spec), memory.files)
    remote = open_knowledge(oxigraph_server.spec, [data])
    assert _answers(remote) == expected
    embedded.store.close()


def test_graph_restriction_agrees_on_every_backend(
    tmp_path: Path, data: Path, oxigraph_server
) -> None:
    memory = open_knowledge("memory", [data], include_ontology=False)
    push(open_spec(oxigraph_server.spec), memory.files)
    teams = next(g for g in memory.data_graphs if g.endswith("/teams"))
    listing = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    for spec in ("memory", index_spec(tmp_path), oxigraph_server.spec):
        knowledge = open_knowledge(spec, [data], include_ontology=False)
        assert count(knowledge) == 19, spec
        assert count(knowledge, [teams]) == 9, spec
        assert count(knowledge, []) == 0, spec
        only = knowledge.store.query(listing, graphs=[teams])
        assert rows(only) == [(f"<{teams}>",)], spec
        assert knowledge.store.graph_names() == sorted(memory.data_graphs), spec
        assert len(knowledge.store.graph(teams)) == 9, spec
        assert len(knowledge.data()) == 19, spec
        knowledge.store.close()


_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?(?:separator\s*=\s*\"([^\"]*)\")?\s*\)"
    r"\s*AS\s*\?(\w+)",
    re.IGNORECASE,
)


def _concatenated(sparql: str) -> dict[str, str]:
    """Variables made by GROUP_CONCAT, with their separators."""
    return {match.group(2): match.group(1) or " " for match in _CONCAT.finditer(sparql)}


def _saved_query_rows(knowledge: Knowledge) -> dict[str, object]:
    """Each saved query's rows. SPARQL leaves the order inside GROUP_CONCAT undefined, and
    engines differ on keeping a shared language tag and on "" or unbound when nothing is
    concatenated, so those cells are compared as the sorted parts of their text. (A query
    concatenating from an ordered subquery gives the same text everywhere: docs/stores.md.)"""
    from kg.answers.lookup import resolve_one
    from kg.answers.queries import bind, registry

    answers: dict[str, object] = {}
    for name, saved in registry().items():
        given = [(p.name, "msr:bmw") for p in saved.params if p.required]
        bindings = bind(saved, given, lambda raw: resolve_one(knowledge.store, raw))
        result = knowledge.store.query(saved.text, bindings=bindings)
        if result.kind == "ask":
            answers[name] = result.boolean
            continue
        concatenated = _concatenated(saved.text)
        cells: list[tuple[str, ...]] = []
        for row in result.rows:
            cells.append(
                tuple(
                    "|".join(sorted(str(term or "").split(concatenated[variable])))
                    if variable in concatenated
                    else _show(term)
                    for variable, term in zip(result.variables, row, strict=True)
                )
            )
        answers[name] = sorted(cells)
    return answers


def test_every_saved_query_gives_the_same_rows_on_every_backend(
    tmp_path: Path, oxigraph_server
) -> None:
    memory = open_knowledge("memory")
    expected = _saved_query_rows(memory)
    assert expected, "no saved queries found"
    assert any(expected.values()), "every saved query came back empty"
    embedded = open_knowledge(index_spec(tmp_path))
    assert _saved_query_rows(embedded) == expected
    embedded.store.close()
    push(open_spec(oxigraph_server.spec), memory.files)
    assert _saved_query_rows(open_knowledge(oxigraph_server.spec)) == expected


def test_syntax_errors_read_the_same_on_every_backend(
    run_kg, tmp_path: Path, data: Path, oxigraph_server
) -> None:
    run_kg("--data", str(data), "push", "--store", oxigraph_server.spec)
    messages = set()
    for spec in ("memory", index_spec(tmp_path), oxigraph_server.spec):
        result = run_kg("--store", spec, "--data", str(data), "query", "-e", "SELECT ?x WHERE {")
        assert result.exit_code == 3, spec
        assert result.stderr.startswith("kg: error: SPARQL syntax error at line 1"), spec
        messages.add(result.stderr)
    assert len(messages) == 1


# -- the index keeps in step with the files ---------------------------------------------


def refresh_summary(spec: str, data: Path, ontology: bool = False):  # type: ignore[no-untyped-def]
    from kg.model.files import discover
    from kg.stores.index import refresh

    store = open_spec(spec, [data])
    assert isinstance(store, OxigraphStore)
    summary = refresh(store, discover([data], include_ontology=ontology))
    store.close()
    return summary


def test_first_run_builds_then_nothing_is_parsed_again(tmp_path: Path, data: Path) -> None:
    spec = index_spec(tmp_path)
    first = refresh_summary(spec, data)
    assert first.rebuilt and len(first.reloaded) == 3 and first.triples_loaded == 19
    time.sleep(0.01)
    second = refresh_summary(spec, data)
    assert not second.changed
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][str((data / "teams.ttl").resolve())]
    assert set(entry) == {
        "graph",
        "size",
        "mtime_ns",
        "ctime_ns",
        "sha256",
        "triples",
        "native",
        "exact",
    }
    # Read by Oxigraph's parser, with its triple count: a Turtle export may copy it.
    assert entry["native"] is True
    assert entry["triples"] == len(Graph().parse(data / "teams.ttl", format="turtle"))
    total = sum(value["triples"] for value in manifest["files"].values())
    assert total == first.triples_loaded


def test_an_edit_reloads_only_that_file(tmp_path: Path, data: Path, run_kg) -> None:
    spec = index_spec(tmp_path)
    refresh_summary(spec, data)
    teams = data / "teams.ttl"
    # Same size, mtime put back as it was: the ctime and then the hash tell.
    text = teams.read_text(encoding="utf-8")
    stat = teams.stat()
    teams.write_text(text.replace('"Team B"@en', '"Team Z"@en'), encoding="utf-8")
    os.utime(teams, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = run_kg(
        "--store", spec, "--data", str(data), "query", "-e",
        PREFIXES + "SELECT ?l WHERE { msr:team-b skos:prefLabel ?l }", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "l\nTeam Z\n"
    assert not refresh_summary(spec, data, ontology=True).changed


def test_touch_without_change_reloads_nothing(tmp_path: Path, data: Path) -> None:
    spec = index_spec(tmp_path)
    refresh_summary(spec, data)
    os.utime(data / "people.ttl", ns=(1, 1_000_000_000))
    summary = refresh_summary(spec, data)
    assert not summary.changed


def test_add_and_delete_files(tmp_path: Path, data: Path, run_kg) -> None:
    spec = index_spec(tmp_path)
    refresh_summary(spec, data)
    (data / "more.ttl").write_text(
        "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
        "<https://w3id.org/motorsport-kg/id/team-d> a ms:Team .\n",
        encoding="utf-8",
    )
    (data / "extra.trig").unlink()
    summary = refresh_summary(spec, data)
    assert [g.rsplit("/", 1)[1] for g in summary.reloaded] == ["more"]
    assert [g.rsplit("/", 1)[1] for g in summary.removed] == ["extra"]
    assert not summary.rebuilt
    result = run_kg(
        "--store", spec, "--data", str(data), "query", "-e",
        PREFIXES + "SELECT ?t WHERE { ?t a ms:Team } ORDER BY ?t", "--format", "csv", "--iris",
    )  # fmt: skip
    assert result.stdout == "t\nmsr:team-a\nmsr:team-b\nmsr:team-d\n"


def test_syntax_error_leaves_the_index_as_it_was(tmp_path: Path, data: Path, run_kg) -> None:
    spec = index_spec(tmp_path)
    refresh_summary(spec, data)
    people = data / "people.ttl"
    good = people.read_text(encoding="utf-8")
    people.write_text(good.replace("ms:wins 12 .", "ms:wins 12 ms:x ."), encoding="utf-8")
    result = run_kg("--store", spec, "--data", str(data), "query", "-e", COUNT)
    assert result.exit_code == 3
    assert result.stderr.startswith("kg: error: ")
    assert "people.ttl: line 9" in result.stderr
    assert not (tmp_path / "index" / "refresh-in-progress").exists()
    people.write_text(good.replace("ms:wins 12 .", "ms:wins 13 ."), encoding="utf-8")
    result = run_kg(
        "--store", spec, "--data", str(data), "query", "-e",
        PREFIXES + "SELECT ?n WHERE { msr:rene-rast ms:wins ?n }", "--format", "csv",
    )  # fmt: skip
    assert result.stdout == "n\n13\n"


def test_crash_mid_refresh_is_repaired_on_the_next_run(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.stores import index

    spec = index_spec(tmp_path)
    refresh_summary(spec, data)
    for name in ("teams.ttl", "people.ttl"):
        path = data / name
        path.write_text(path.read_text(encoding="utf-8").replace("Team", "Equipe"), "utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace("12", "99"), "utf-8")
    real_replace = index._replace
    calls: list[object] = []

    def crash_after_first(handle: object, staged: object, name: object) -> None:
        if calls:
            raise RuntimeError("simulated crash")
        calls.append(name)
        real_replace(handle, staged, name)

    monkeypatch.setattr(index, "_replace", crash_after_first)
    with pytest.raises(StoreError, match="the next run rebuilds it"):
        refresh_summary(spec, data)
    assert (tmp_path / "index" / "refresh-in-progress").exists()
    monkeypatch.setattr(index, "_replace", real_replace)
    repaired = refresh_summary(spec, data)
    assert repaired.rebuilt
    knowledge = open_knowledge(spec, [data], include_ontology=False)
    fresh = open_knowledge("memory", [data], include_ontology=False)
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert rows(knowledge.store.query(everything)) == rows(fresh.store.query(everything))
    knowledge.store.close()


KILL_SCRIPT = """
import sys, time
from pathlib import Path
from kg.stores import index
from kg.model.files import discover
from kg.stores.oxigraph_store import OxigraphStore

real = index._replace
def slow(handle, staged, name):
    real(handle, staged, name)
    handle.flush()
    print("replaced", flush=True)
    time.sleep(60)
index._replace = slow
files = discover([Path(sys.argv[2])], include_ontology=False)
index.refresh(OxigraphStore(Path(sys.argv[1])), files)
"""


def test_killed_refresh_is_detected_and_rebuilt(tmp_path: Path, data: Path) -> None:
    spec = index_spec(tmp_path)
    refresh_summary(spec, data)
    teams = data / "teams.ttl"
    teams.write_text(teams.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    (data / "people.ttl").unlink()
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(tmp_path / "index"), str(data)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "replaced\n"
    process.kill()
    process.wait()
    assert (tmp_path / "index" / "refresh-in-progress").exists()
    summary = refresh_summary(spec, data)
    assert summary.rebuilt
    knowledge = open_knowledge(spec, [data], include_ontology=False)
    assert count(knowledge) == 11
    knowledge.store.close()


def test_changing_a_graph_by_hand_forces_a_rebuild(tmp_path: Path, data: Path) -> None:
    spec = index_spec(tmp_path)
    knowledge = open_knowledge(spec, [data], include_ontology=False)
    knowledge.store.remove_graph(knowledge.data_graphs[0])
    knowledge.store.close()
    assert refresh_summary(spec, data).rebuilt


def test_unreadable_index_says_how_to_repair(tmp_path: Path, data: Path) -> None:
    broken = tmp_path / "index" / "store"
    broken.mkdir(parents=True)
    (broken / "CURRENT").write_text("garbage\n", encoding="utf-8")
    store = OxigraphStore(tmp_path / "index")
    with pytest.raises(StoreError, match="delete that folder"):
        store.query(COUNT)


def test_memory_store_and_index_hold_the_same_quads(tmp_path: Path, data: Path) -> None:
    memory = open_knowledge("memory", [data])
    embedded = open_knowledge(index_spec(tmp_path), [data])
    assert isinstance(memory.store, MemoryStore)
    assert embedded.store.graph_names() == memory.store.graph_names()

    def ground(knowledge: Knowledge) -> set[tuple[str, ...]]:
        return {
            tuple("_:b" if isinstance(t, BNode) else t.n3() for t in quad)
            for quad in knowledge.store.quads()
        }

    assert ground(embedded) == ground(memory)
    embedded.store.close()


def test_unparseable_file_by_oxigraph_falls_back_to_rdflib_errors(
    tmp_path: Path, data: Path
) -> None:
    (data / "bad.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.ttl: line 1"):
        open_knowledge(index_spec(tmp_path), [data])


@pytest.mark.parametrize("spec", ["memory", "index"])
def test_two_files_blank_node_labels_stay_two_nodes(tmp_path: Path, spec: str) -> None:
    folder = tmp_path / "bnodes"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.ttl").write_text(
            f'@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n_:x ms:name "{name}" .\n',
            encoding="utf-8",
        )
    chosen = index_spec(tmp_path) if spec == "index" else spec
    knowledge = open_knowledge(chosen, [folder], include_ontology=False)
    result = knowledge.store.query(
        PREFIXES + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x ms:name ?name }"
    )
    assert result.rows[0][0] == Literal(2)
    knowledge.store.close()


def test_a_full_build_loads_in_parts_and_leaves_no_staging(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.stores import index

    # Parts of a few bytes: every file a part of its own, loaded side by side.
    monkeypatch.setattr(index, "PART_BYTES", 1)
    monkeypatch.setattr(index, "LOAD_THREADS", 3)
    knowledge = open_knowledge(index_spec(tmp_path), [data], include_ontology=False)
    fresh = open_knowledge("memory", [data], include_ontology=False)
    everything = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert rows(knowledge.store.query(everything)) == rows(fresh.store.query(everything))
    found = sorted(p.name for p in (tmp_path / "index").iterdir())
    assert found == ["lock", "manifest.json", "store"]
    knowledge.store.close()


def _many_files(folder: Path, files: int, teams: int = 1) -> None:
    folder.mkdir()
    for number in range(files):
        lines = ["@prefix ms: <https://w3id.org/motorsport-kg/ontology/> ."]
        lines += [
            f'<{MSR}team-{number}-{team}> a ms:Team ; ms:name "Team {team}" ; ms:number {team} .'
            for team in range(teams)
        ]
        (folder / f"teams-{number:02}.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _tables(index_folder: Path) -> list[str]:
    return sorted(path.name for path in (index_folder / "store").glob("*.sst"))


def test_a_full_build_leaves_a_compacted_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk loads of a full build leave overlapping tables that read-only commands
    would never merge: the build compacts them, so compacting again rewrites nothing."""
    from kg.stores import index

    monkeypatch.setattr(index, "PART_BYTES", 1)  # one bulk load per file
    data = tmp_path / "data"
    _many_files(data, 4, teams=2000)
    spec = index_spec(tmp_path)
    open_knowledge(spec, [data], include_ontology=False).store.close()
    built = _tables(tmp_path / "index")
    store = OxigraphStore(tmp_path / "index")
    store.writer().optimize()
    store.close()
    # Without the build's compaction, this one merges the tables into new ones.
    assert _tables(tmp_path / "index") == built
    reopened = open_knowledge(spec, [data], include_ontology=False)
    assert count(reopened) == 4 * 2000 * 3
    reopened.store.close()


def test_only_a_refresh_that_adds_many_tables_compacts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.stores import index

    compactions: list[str] = []
    real_compact = index._compact

    def counted(handle: object) -> None:
        compactions.append("compacted")
        real_compact(handle)

    monkeypatch.setattr(index, "_compact", counted)
    data = tmp_path / "data"
    _many_files(data, 8, teams=200)
    spec = index_spec(tmp_path)
    open_knowledge(spec, [data], include_ontology=False).store.close()
    assert compactions == ["compacted"]  # the full build

    def refresh_with_tables(before: int, after: int) -> None:
        """Change a file; the database holds `before` tables, then `after` once loaded."""
        counts = iter((before, after))
        monkeypatch.setattr(index, "_table_files", lambda store: next(counts))
        path = data / "teams-00.ttl"
        path.write_text(path.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
        open_knowledge(spec, [data], include_ontology=False).store.close()

    # A big compacted index (10 million triples: more tables than the bound) where a
    # one-file refresh adds a few: RocksDB merges those on its own.
    refresh_with_tables(100, 110)
    assert compactions == ["compacted"]
    # A refresh that adds more tables than the bound compacts them.
    refresh_with_tables(12, 12 + index.COMPACT_ABOVE_NEW_FILES + 1)
    assert compactions == ["compacted", "compacted"]
    knowledge = open_knowledge(spec, [data], include_ontology=False)
    assert count(knowledge) == 8 * 200 * 3
    knowledge.store.close()


def test_a_failed_full_build_is_rebuilt_on_the_next_run(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.stores import index

    real_bulk_load = index.bulk_load_parts

    def crash(handle: object, parts: object, threads: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index, "bulk_load_parts", crash)
    with pytest.raises(StoreError, match=r"No space left on device.*the next run rebuilds it"):
        open_knowledge(index_spec(tmp_path), [data], include_ontology=False)
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == [
        "lock",
        "refresh-in-progress",
        "store",
    ]
    monkeypatch.setattr(index, "bulk_load_parts", real_bulk_load)
    knowledge = open_knowledge(index_spec(tmp_path), [data], include_ontology=False)
    assert count(knowledge) == count(open_knowledge("memory", [data], include_ontology=False))
    knowledge.store.close()


def test_parallel_staging_names_the_bad_file_and_keeps_the_index(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.stores import index

    # Every build stages in worker processes, one part per file.
    monkeypatch.setattr(index, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(index, "PART_BYTES", 1)
    spec = index_spec(tmp_path)
    knowledge = open_knowledge(spec, [data], include_ontology=False)
    fresh = open_knowledge("memory", [data], include_ontology=False)
    everything = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert rows(knowledge.store.query(everything)) == rows(fresh.store.query(everything))
    knowledge.store.close()
    (tmp_path / "index" / "manifest.json").unlink()  # the next run rebuilds
    people = data / "people.ttl"
    people.write_text(people.read_text(encoding="utf-8") + "\nmsr:x ms:y .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"people\.ttl: line \d+"):
        open_knowledge(spec, [data], include_ontology=False)
    assert not (tmp_path / "index" / "refresh-in-progress").exists()
    assert not (tmp_path / "index" / "staging").exists()


def test_bound_variables_are_substituted_only_where_that_is_safe() -> None:
    from kg.stores.bound_text import with_projected

    iri = {"e": URIRef(MSR + "x")}
    assert with_projected("SELECT ?a ?b\nWHERE { ?e ?a ?b }", iri) == (
        "SELECT ?a ?b\n?e WHERE { ?e ?a ?b }"
    )
    assert with_projected("SELECT DISTINCT ?a { ?e ?a ?b }", iri) == (
        "SELECT DISTINCT ?a ?e { ?e ?a ?b }"
    )
    for unsafe in (
        "SELECT ?a (COUNT(?b) AS ?n) WHERE { ?e ?a ?b } GROUP BY ?a",
        "SELECT ?a WHERE { { SELECT ?a WHERE { ?e ?a ?b } } }",
        "SELECT ?e ?a WHERE { ?e ?a ?b }",
        "SELECT * WHERE { ?e ?a ?b }",
    ):
        assert with_projected(unsafe, iri) is None, unsafe
    assert with_projected("SELECT ?a WHERE { ?e ?a ?b }", {"e": BNode("b0")}) is None


def test_a_substituted_variable_is_not_in_the_answer(tmp_path: Path, data: Path) -> None:
    knowledge = open_knowledge(index_spec(tmp_path), [data], include_ontology=False)
    query = PREFIXES + "SELECT ?p WHERE { ?e ?p ?o } ORDER BY ?p"
    answer = knowledge.store.query(query, bindings={"e": URIRef(MSR + "rene-rast")})
    fresh = open_knowledge("memory", [data], include_ontology=False)
    expected = fresh.store.query(query, bindings={"e": URIRef(MSR + "rene-rast")})
    assert answer.variables == ("p",) == expected.variables
    assert rows(answer) == rows(expected) and answer.rows
    knowledge.store.close()


def test_bound_values_are_written_into_the_query_only_where_that_is_safe() -> None:
    from kg.stores.bound_text import inlined

    iri = {"e": URIRef(MSR + "x")}
    written = f"<{MSR}x>"
    assert inlined("SELECT ?a WHERE { ?e ?a ?b . FILTER (?b != ?e) }", iri) == (
        f"SELECT ?a WHERE {{ {written} ?a ?b . FILTER (?b != {written}) }}"
    )
    # Inside strings, IRIs and comments "?e" is text, not the variable.
    assert inlined(
        'SELECT ?a WHERE { # ?e in a comment\n ?e ?a "?e" . ?a <http://x/?e> ?b }', iri
    ) == (f'SELECT ?a WHERE {{ # ?e in a comment\n {written} ?a "?e" . ?a <http://x/?e> ?b }}')
    # A literal is escaped, so no value can change the query.
    assert inlined("SELECT ?a WHERE { ?a ?p ?e }", {"e": Literal('say "} DROP')}) == (
        'SELECT ?a WHERE { ?a ?p "say \\"} DROP" }'
    )
    # Expressions in the projection (entity-facts computes its dates there): the bound
    # value is still written in. Before, such a query was bound by a VALUES block, and
    # entity-facts read the whole graph: 5 s at 100k triples instead of milliseconds.
    assert inlined("SELECT DISTINCT ?a (COALESCE(STR(?b), ?c) AS ?d) WHERE { ?e ?a ?b }", iri) == (
        f"SELECT DISTINCT ?a (COALESCE(STR(?b), ?c) AS ?d) WHERE {{ {written} ?a ?b }}"
    )
    for unsafe in (
        "SELECT ?e ?a WHERE { ?e ?a ?b }",  # selected
        "SELECT ?a (STR(?e) AS ?s) WHERE { ?e ?a ?b }",  # selected in an expression
        "SELECT * WHERE { ?e ?a ?b }",
        "SELECT DISTINCT * WHERE { ?e ?a ?b }",
        "SELECT ?a WHERE { ?x ?a ?b BIND (?b AS ?e) }",  # the target of AS
        "SELECT ?a WHERE { ?e ?a ?b } ORDER BY ?e",  # after the WHERE group
        "SELECT ?a WHERE { ?e ?a ?b } GROUP BY ?a HAVING (COUNT(?e) > 1)",
        "SELECT ?a WHERE { VALUES ?b { 1 } ?e ?a ?b }",
        # A sub-query that limits its rows (more: tests/stores/test_bound_text_subselects.py).
        "SELECT ?a WHERE { { SELECT ?e ?a WHERE { ?e ?a ?b } LIMIT 2 } }",
    ):
        assert inlined(unsafe, iri) is None, unsafe
    assert inlined("SELECT ?a WHERE { ?e ?a ?b }", {"e": BNode("b0")}) is None


@pytest.mark.parametrize(
    "where",
    [
        "?e ?p ?o .",
        # Bound before the OPTIONAL. (A variable first seen inside an OPTIONAL is where
        # pre-binding and rdflib's join of the bindings differ; see docs/stores.md.)
        "?e ?p ?o . OPTIONAL { ?o ?p2 ?e }",
        "?s ?p ?o . FILTER (?s = ?e)",
        "?e ?p ?o . FILTER NOT EXISTS { ?e a ms:Team }",
        "{ ?e ?p ?o } UNION { ?o ?p ?e }",
    ],
)
def test_written_values_answer_as_the_memory_store_does(
    tmp_path: Path, data: Path, where: str
) -> None:
    knowledge = open_knowledge(index_spec(tmp_path), [data], include_ontology=False)
    fresh = open_knowledge("memory", [data], include_ontology=False)
    query = PREFIXES + f"SELECT DISTINCT ?p ?o WHERE {{ {where} }}"
    for entity in ("rene-rast", "rll", "nobody"):
        bindings = {"e": URIRef(MSR + entity)}
        answer = knowledge.store.query(query, bindings=bindings)
        assert rows(answer) == rows(fresh.store.query(query, bindings=bindings)), entity
    knowledge.store.close()


def test_a_value_that_cannot_be_written_in_its_place_matches_nothing(
    tmp_path: Path, data: Path
) -> None:
    # A literal bound to a predicate variable cannot be written into the query text;
    # bound as a substitution it matches nothing, as in memory.
    knowledge = open_knowledge(index_spec(tmp_path), [data], include_ontology=False)
    fresh = open_knowledge("memory", [data], include_ontology=False)
    query = PREFIXES + "SELECT ?s WHERE { ?s ?p ?o }"
    bindings = {"p": Literal("not a predicate")}
    assert rows(knowledge.store.query(query, bindings=bindings)) == []
    assert rows(fresh.store.query(query, bindings=bindings)) == []
    knowledge.store.close()
