"""Measure motorsport-kg against its baselines, side by side, in one run.

    python benchmarks/run.py --sizes 10k,100k          # generate (seeded) and measure
    python benchmarks/run.py --sizes 1m --repeat 3
    python benchmarks/run.py --quick                   # tiny smoke run (tests use it)

Every measured case runs in its own subprocess (this file with --worker), so
peak memory (VmHWM, not ru_maxrss, which Linux carries over exec from the runner)
belongs to that case alone; the peak of the worker processes a case forks is
recorded beside it. Operation times are taken
inside the worker around the operation; whole-process times (`kg --help`,
`kg query NAME`, validation against Jena's `shacl` command) are wall-clock
times of the whole subprocess. Medians over --repeat runs; rdflib baselines at
1 million triples run once (they take minutes), an rdflib run over 10 s is not
repeated, and rdflib's engine is stopped after KG_BENCH_RDFLIB_QUERY_LIMIT
seconds (120) per saved query, which makes that query's ratio a lower bound.

Writes benchmarks/RESULTS.md and benchmarks/results.json (or --out-dir).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import SIZES, generate, parse_size  # noqa: E402

PYTHON = sys.executable
KG = str(Path(PYTHON).with_name("kg"))
GRAPH = "https://w3id.org/motorsport-kg/graph/"

# Saved-query parameters bound to entities the generator creates.
SYNTHETIC_BINDINGS = {
    "manufacturer": "https://w3id.org/motorsport-kg/id/maker-0",
    "organisation": "https://w3id.org/motorsport-kg/id/maker-0",
    "event": "https://w3id.org/motorsport-kg/id/event-0",
    "person": "https://w3id.org/motorsport-kg/id/official-0",
    "entity": "https://w3id.org/motorsport-kg/id/driver-0",
    "decision": "https://w3id.org/motorsport-kg/id/decision-4",
}

JENA_JARS = "/usr/share/java"
PYSHACL_LIMIT = float(os.environ.get("KG_BENCH_PYSHACL_LIMIT", "300"))
# rdflib's engine is stopped after this many seconds per saved query; the ratio is then
# a lower bound (shown as ">=").
VIZ_LIMIT = float(os.environ.get("KG_BENCH_VIZ_LIMIT", "300"))
RDFLIB_QUERY_LIMIT = float(os.environ.get("KG_BENCH_RDFLIB_QUERY_LIMIT", "120"))


# --- helpers shared by the workers ------------------------------------------------


def data_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.ttl"))


def graph_name(folder: Path, path: Path) -> str:
    return GRAPH + "bench/" + path.relative_to(folder).with_suffix("").as_posix()


def ontology_files() -> list[Path]:
    return sorted((ROOT / "ontology").glob("*.ttl"))


def shapes_file() -> Path:
    return ROOT / "ontology" / "shapes.ttl"


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


# A query that takes milliseconds is run more often (up to QUICK_RUNS, while the runs
# take under QUICK_BUDGET seconds in all) by every implementation alike: the median
# of three such runs is mostly noise on a busy 2-core machine.
QUICK_RUNS = 21
QUICK_BUDGET = 0.5


def repeated(function: Callable[[], Any], minimum: int) -> tuple[list[float], Any]:
    """Run `function` at least `minimum` times, more while it is quick; the times and
    the last value."""
    runs: list[float] = []
    value: Any = None
    while len(runs) < minimum or (len(runs) < QUICK_RUNS and sum(runs) < QUICK_BUDGET):
        seconds, value = timed(function)
        runs.append(seconds)
    return runs, value


def saved_queries() -> list[tuple[str, str, dict[str, str]]]:
    from kg.answers.queries import registry

    found = []
    for name, query in sorted(registry().items()):
        bindings = {
            p.name: SYNTHETIC_BINDINGS[p.name] for p in query.params if p.name in SYNTHETIC_BINDINGS
        }
        found.append((name, query.text, bindings))
    return found


def ox_load(folder: Path) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    for path in data_files(folder):
        store.load(
            path=str(path),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(graph_name(folder, path)),
        )
    return store


def ox_disk_load(folder: Path, where: Path) -> Any:
    """Bare pyoxigraph, on disk: bulk_load each file into its graph (its fastest API)."""
    import pyoxigraph as ox

    store = ox.Store(str(where))
    for path in data_files(folder):
        store.bulk_load(
            path=str(path),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(graph_name(folder, path)),
        )
    store.flush()
    return store


def rdflib_load(folder: Path) -> Any:
    from rdflib import Dataset, URIRef

    dataset = Dataset(default_union=True)
    for path in data_files(folder):
        dataset.graph(URIRef(graph_name(folder, path))).parse(path, format="turtle")
    return dataset


def kg_index(folder: Path, where: Path) -> tuple[Any, list[Any]]:
    """The project's own index (kg.stores), loading `folder` as the data."""
    from kg.model.files import discover
    from kg.stores.index import refresh
    from kg.stores.oxigraph_store import OxigraphStore

    files = discover([folder], include_ontology=True)
    store = OxigraphStore(where)
    refresh(store, files)
    return store, files


# --- workers: one measured case each ------------------------------------------------


def worker(op: str, impl: str, folder: Path, extra: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if op == "load":
        if impl == "kg":
            with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                seconds, _ = timed(lambda: kg_index(folder, Path(tmp) / "index"))
        elif impl == "pyoxigraph":
            seconds, _ = timed(lambda: ox_load(folder))
        elif impl == "pyoxigraph-disk":
            with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                seconds, _ = timed(lambda: ox_disk_load(folder, Path(tmp) / "store"))
        elif impl == "rdflib":
            seconds, _ = timed(lambda: rdflib_load(folder))
        else:
            raise SystemExit(f"unknown impl {impl}")
        result["seconds"] = seconds
    elif op == "refresh":
        changed = data_files(folder)[-1]
        original = changed.read_text(encoding="utf-8")
        try:
            if impl == "kg":
                from kg.stores.index import refresh

                with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                    store, files = kg_index(folder, Path(tmp) / "index")
                    changed.write_text(original + "\n# changed\n", encoding="utf-8")
                    result["seconds"], _ = timed(lambda: refresh(store, files))
                    store.close()
            else:
                from rdflib import URIRef

                dataset = rdflib_load(folder)
                changed.write_text(original + "\n# changed\n", encoding="utf-8")

                def reload() -> None:
                    graph = dataset.graph(URIRef(graph_name(folder, changed)))
                    graph.remove((None, None, None))
                    graph.parse(changed, format="turtle")

                result["seconds"], _ = timed(reload)
        finally:
            changed.write_text(original, encoding="utf-8")
    elif op == "queries":
        repeat = int(extra or "3")
        times: dict[str, float] = {}
        rows: dict[str, int] = {}
        if impl == "kg":
            from rdflib import URIRef

            from kg.stores.oxigraph_store import OxigraphStore

            with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                built, _ = kg_index(folder, Path(tmp) / "index")
                # Read as every command after the build reads it: a read-only handle
                # (the build's writer closed, so RocksDB merges nothing meanwhile).
                built.close()
                store = OxigraphStore(Path(tmp) / "index")
                for name, text, bindings in saved_queries():
                    terms = {k: URIRef(v) for k, v in bindings.items()}
                    runs, answer = repeated(
                        lambda t=text, b=terms: store.query(t, bindings=b), repeat
                    )
                    times[name] = statistics.median(runs)
                    rows[name] = len(answer.rows)
                store.close()
        elif impl == "pyoxigraph":
            import pyoxigraph as ox

            store = ox_load(folder)
            for name, text, bindings in saved_queries():
                subs = {ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()}
                runs, count = repeated(lambda t=text, s=subs: _ox_count(store, t, s), repeat)
                times[name] = statistics.median(runs)
                rows[name] = count
        else:
            from rdflib import URIRef

            dataset = rdflib_load(folder)
            stopped: list[str] = []
            for name, text, bindings in saved_queries():
                terms = {k: URIRef(v) for k, v in bindings.items()}
                runs = []
                for _ in range(repeat):
                    try:
                        seconds, count = timed(
                            lambda t=text, b=terms: _within_limit(
                                lambda: len(list(dataset.query(t, initBindings=b)))
                            )
                        )
                    except _TimeLimit:
                        seconds, count = RDFLIB_QUERY_LIMIT, -1
                        stopped.append(name)
                    runs.append(seconds)
                    if seconds > 10:
                        break  # one slow run tells enough; repeating costs minutes
                while len(runs) < QUICK_RUNS and sum(runs) < QUICK_BUDGET and count >= 0:
                    # A quick query: more runs, as for kg, so one hiccup does not decide.
                    seconds, count = timed(
                        lambda t=text, b=terms: len(list(dataset.query(t, initBindings=b)))
                    )
                    runs.append(seconds)
                times[name] = statistics.median(runs)
                rows[name] = count
            result["stopped"] = stopped
        result["queries"] = times
        result["rows"] = rows
    elif op == "export":
        out = Path(tempfile.mkdtemp()) / "export.ttl"
        try:
            if impl == "kg":
                # What `kg export --stream --format turtle -o FILE` runs, on the index.
                from kg.knowledge.project import Knowledge
                from kg.outputs.export_stream import stream, stream_to_file

                with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                    store, files = kg_index(folder, Path(tmp) / "index")
                    knowledge = Knowledge(store=store, files=tuple(files))
                    names = knowledge.data_graphs
                    result["seconds"], _ = timed(
                        lambda: stream_to_file(lambda t: stream(knowledge, names, "turtle", t), out)
                    )
                    store.close()
            elif impl == "kg-stable":
                # What `kg export --format turtle -o FILE` runs: sorted, canonical blank nodes.
                from kg.knowledge.project import open_knowledge
                from kg.outputs.export import serialize, write_export

                with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                    kg_index(folder, Path(tmp) / "index")[0].close()
                    knowledge = open_knowledge(f"oxigraph:{Path(tmp) / 'index'}", [folder])

                    def stable() -> None:
                        from kg.outputs.export import select

                        write_export(serialize(select(knowledge), "turtle"), out)

                    result["seconds"], _ = timed(stable)
                    knowledge.store.close()
            else:
                dataset = rdflib_load(folder)
                from rdflib import Graph

                union = Graph()
                for triple in dataset.triples((None, None, None)):
                    union.add(triple)
                result["seconds"], _ = timed(
                    lambda: union.serialize(destination=str(out), format="turtle")
                )
            result["bytes"] = out.stat().st_size
        finally:
            shutil.rmtree(out.parent, ignore_errors=True)
    elif op == "validate":
        result.update(validate_worker(impl, folder))
    else:
        raise SystemExit(f"unknown op {op}")
    result["maxrss_mib"] = own_peak_mib()
    # Worker processes the case forked (kg's parallel staging), the largest one's peak.
    result["children_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def own_peak_mib() -> float:
    """This process's peak resident memory, in MiB.

    VmHWM belongs to this program alone. ru_maxrss does not: Linux carries it over
    exec from the process that started this one, so a worker started by a runner
    that once held ten million triples (to write Jena's N-Triples file) reported
    the runner's 3 GiB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _TimeLimit(Exception):
    pass


def _within_limit(function: Callable[[], Any]) -> Any:
    """Run pure-Python work (rdflib's engine) under a time limit (SIGALRM interrupts it)."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, RDFLIB_QUERY_LIMIT)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _ox_count(store: Any, text: str, subs: dict[Any, Any]) -> int:
    try:
        return len(list(store.query(text, use_default_graph_as_union=True, substitutions=subs)))
    except RuntimeError:
        # pyoxigraph substitutes only projected variables: bind the others with a
        # trailing VALUES clause, as SPARQL clients do.
        names = " ".join(f"?{v.value}" for v in subs)
        row = " ".join(f"<{t.value}>" for t in subs.values())
        text = f"{text}\nVALUES ({names}) {{ ({row}) }}"
        return len(list(store.query(text, use_default_graph_as_union=True)))


def validate_worker(impl: str, folder: Path) -> dict[str, Any]:
    """Full validation, impl fast (kg.validation.fast on the files) or pyshacl."""
    from kg.model.namespaces import new_graph

    shapes = new_graph()
    shapes.parse(shapes_file(), format="turtle")
    ontology = new_graph()
    for path in ontology_files():
        if path.name != "shapes.ttl":
            ontology.parse(path, format="turtle")
    if impl == "pyshacl":
        from kg.validation.shacl import validate

        data = new_graph()
        for path in data_files(folder):
            data.parse(path, format="turtle")
        seconds, report = timed(lambda: validate(data, shapes, ontology=ontology))
        return {"seconds": seconds, "results": len(report.results)}
    import pyoxigraph as ox

    from kg.validation.fast import TripleIndex, triples_from_oxigraph, validate_fast

    def full() -> Any:
        # pyoxigraph's parser, not its Store: the Store rewrites derived datatypes
        # ("7"^^xsd:positiveInteger becomes xsd:integer), which sh:datatype would see.
        index = TripleIndex()
        for path in data_files(folder):
            with path.open("rb") as stream:
                index.add_all(triples_from_oxigraph(ox.parse(stream, format=ox.RdfFormat.TURTLE)))
        index.add_all(ontology)
        return validate_fast(index, shapes)

    seconds, report = timed(full)
    return {"seconds": seconds, "results": len(report.results)}


# --- the orchestrator ---------------------------------------------------------------


def run_worker(args: list[str], timeout: float = 3600) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--worker", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s (time limit)"}
    wall = time.perf_counter() - start
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else "failed"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def process_time(
    command: list[str],
    repeat: int,
    cwd: Path = ROOT,
    ok: tuple[int, ...] = (0,),
    output: list[bytes] | None = None,
) -> dict[str, Any]:
    """The median whole-process time; `output`, when given, gets the last run's stdout."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=cwd, check=False)
        times.append(time.perf_counter() - start)
        if output is not None:
            output[:] = [done.stdout]
        if done.returncode not in ok:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            return {
                "error": next(
                    (x for x in lines if "Exception" in x or "rror" in x),
                    lines[-1] if lines else "failed",
                )[:200]
            }
    # No peak memory here: RUSAGE_CHILDREN is the maximum over every child so far,
    # not this command's own.
    return {"seconds": statistics.median(times), "runs": len(times)}


def jena_classpath() -> str | None:
    """Debian's Jena jars plus the xerces message bundles where Jena looks for them."""
    jars = Path(JENA_JARS)
    core = sorted(jars.glob("jena-*.jar"))
    if not core or shutil.which("java") is None:
        return None
    # Every unversioned jar except the extra SLF4J bindings (they conflict).
    extra = [
        p
        for p in sorted(jars.glob("*.jar"))
        if not p.name.startswith("jena-")
        and not any(ch.isdigit() for ch in p.name)
        and ("slf4j" not in p.name or p.name in ("slf4j-api.jar", "slf4j-nop.jar"))
        and "log4j-slf4j" not in p.name
        and "logback" not in p.name
    ]
    core = [p for p in core if not any(ch.isdigit() for ch in p.name)]
    bundles = Path(tempfile.gettempdir()) / "kg-jena-xerces"
    if not (bundles / "xerces").is_dir():
        import zipfile

        for jar in core:
            with zipfile.ZipFile(jar) as archive:
                for name in archive.namelist():
                    prefix = "org/apache/jena/ext/xerces/impl/"
                    if name.startswith(prefix) and name.endswith(".properties"):
                        target = bundles / "xerces" / "impl" / name[len(prefix) :]
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.read(name))
    return ":".join(str(p) for p in [*core, *extra, bundles])


def jena(
    main_class: str, args: list[str], repeat: int, output: list[bytes] | None = None
) -> dict[str, Any]:
    classpath = jena_classpath()
    if classpath is None:
        return {"error": "not installed (apt-get install libapache-jena-java): not measured"}
    command = ["java", "-Xmx8g", "-cp", classpath, main_class, *args]
    return process_time(command, repeat, output=output)


def report_results(turtle: bytes) -> int:
    """How many validation results a SHACL report in Turtle (Jena's) holds."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    graph = Graph().parse(data=turtle.decode("utf-8"), format="turtle")
    return len(set(graph.subjects(RDF.type, SH.ValidationResult)))


def one_file(folder: Path, include_ontology: bool) -> Path:
    """All data (and ontology) in one Turtle file, for commands that take one --data file."""
    # One file per variant: the riot file (data only) was once reused for Jena's
    # validation, which then ran without the ontology (16,478 results against kg's 95).
    variant = "with-ontology" if include_ontology else "data"
    target = folder.parent / f"{folder.name}-all-{variant}.nt"
    if not target.exists():
        import pyoxigraph as ox

        store = ox.Store()
        for path in data_files(folder) + (
            [p for p in ontology_files() if p.name != "shapes.ttl"] if include_ontology else []
        ):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        store.dump(output=str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return target


def jena_validation(folder: Path, repeat: int, kg_results: int | None) -> dict[str, Any]:
    """Jena's `shacl validate` on the data and the ontology in one file, as kg validates
    them, and whether it finds as many results as kg (else the comparison is void)."""
    output: list[bytes] = []
    with_ontology = one_file(folder, include_ontology=True)
    entry = jena(
        "shacl.shacl",
        ["validate", "--shapes", str(shapes_file()), "--data", str(with_ontology)],
        repeat,
        output=output,
    )
    if "seconds" in entry and output:
        found = report_results(output[0])
        entry["results"] = found
        entry["same_results"] = found == kg_results
        entry["note"] = f"{found} results, kg {kg_results}: " + (
            "the same" if found == kg_results else "NOT the same, so the times do not compare"
        )
    return entry


def changed_validation(folder: Path, repeat: int) -> dict[str, Any]:
    """Whole-process `kg validate --changed` after a real one-value edit (a car number
    written as a number, and back again, in turn), on a copy of the data with its own
    index and cache; the report is compared with a full validation's."""
    import re

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        data = Path(tmp) / folder.name
        shutil.copytree(folder, data)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        command = [KG, "--data", str(data), "validate", "--format", "json"]

        def run(*extra: str) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(
                [*command, *extra], capture_output=True, text=True, env=env, check=False
            )
            if done.returncode not in (0, 1):
                raise RuntimeError(done.stderr.strip().splitlines()[-1])
            return done

        target = next(
            (p for p in data_files(data) if 'ms:carNumber "' in p.read_text(encoding="utf-8")),
            None,
        )
        if target is None:
            return {"error": "no car number to edit in the generated data"}
        original = target.read_text(encoding="utf-8")
        edited = re.sub(r'ms:carNumber "(\d+)" ;', r"ms:carNumber \1 ;", original, count=1)
        try:
            run("--changed")  # the first run validates fully and keeps the cache
            times: list[float] = []
            last: subprocess.CompletedProcess[str] | None = None
            for number in range(repeat):
                target.write_text(edited if number % 2 == 0 else original, encoding="utf-8")
                start = time.perf_counter()
                last = run("--changed")
                times.append(time.perf_counter() - start)
            full = run()
        except RuntimeError as error:
            return {"error": str(error)[:200]}
        assert last is not None
        found = re.search(r"re-checked (\d+) focus nodes", last.stderr)
        rechecked = int(found.group(1)) if found else None
        same = "equal to" if last.stdout == full.stdout else "DIFFERENT from"
        return {
            "seconds": statistics.median(times),
            "runs": repeat,
            "rechecked": rechecked,
            "note": f"kg validate --changed after a one-value edit, whole process; re-checked "
            f"{rechecked} focus nodes; the report is {same} a full validation's",
        }


def viz_time(folder: Path, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Whole-process `kg viz --entity E --depth 1 -o FILE.svg` on an index that exists."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        index = Path(tmp) / "index"
        kg_index(folder, index)[0].close()
        command = [
            KG, "--store", f"oxigraph:{index}", "--data", str(folder),
            "viz", "--entity", SYNTHETIC_BINDINGS["entity"], "--depth", "1",
            "-o", str(Path(tmp) / "neighbourhood.svg"),
        ]  # fmt: skip
        log(f"  viz {folder.name} x{repeat}")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                done = subprocess.run(command, capture_output=True, timeout=VIZ_LIMIT, check=False)
            except subprocess.TimeoutExpired:
                return {"error": f"stopped after {VIZ_LIMIT:.0f} s (time limit)"}
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                lines = done.stderr.decode(errors="replace").strip().splitlines()
                return {"error": (lines[-1] if lines else "failed")[:200]}
        return {"seconds": statistics.median(times), "note": "whole process, index exists"}


def median_of(results: list[dict[str, Any]], key: str = "seconds") -> float | None:
    values = [r[key] for r in results if key in r]
    return statistics.median(values) if values else None


def measure_size(
    label: str, folder: Path, repeat: int, log: Callable[[str], None], with_rdflib: bool = True
) -> dict[str, Any]:
    size_result: dict[str, Any] = {"triples": None, "cases": {}}
    cases = size_result["cases"]
    big = parse_size(label) >= 1_000_000
    rdflib_repeat = 1 if big else repeat

    def case(name: str, impl: str, runs: int, op: str | None = None, extra: str = "") -> None:
        log(f"  {label} {name} {impl} x{runs}")
        results = [run_worker([op or name, impl, str(folder), extra]) for _ in range(runs)]
        errors = [r["error"] for r in results if "error" in r]
        entry: dict[str, Any] = {"runs": runs}
        if errors:
            entry["error"] = errors[0]
        else:
            entry["seconds"] = median_of(results)
            entry["wall"] = median_of(results, "wall")
            entry["maxrss_mib"] = max(r["maxrss_mib"] for r in results)
            entry["children_mib"] = max(r.get("children_mib", 0) for r in results)
            if "queries" in results[0]:
                entry["queries"] = {
                    q: statistics.median(r["queries"][q] for r in results)
                    for q in results[0]["queries"]
                }
                entry["rows"] = results[0]["rows"]
                entry["stopped"] = results[0].get("stopped", [])
        cases.setdefault(name, {})[impl] = entry

    for impl in ("kg", "pyoxigraph", "pyoxigraph-disk"):
        case("load", impl, repeat)
    if with_rdflib:
        case("load", "rdflib", rdflib_repeat)
    nt = one_file(folder, include_ontology=False)
    cases["load"]["jena-riot"] = jena("riotcmd.riot", ["--count", str(nt)], rdflib_repeat)
    case("refresh", "kg", repeat)
    if with_rdflib:
        case("refresh", "rdflib", rdflib_repeat)
    case("queries", "kg", 1, extra=str(repeat))
    case("queries", "pyoxigraph", 1, extra=str(repeat))
    if with_rdflib:
        case("queries", "rdflib", 1, extra="1" if big else str(repeat))
    case("export", "kg", repeat)
    if not big:
        case("export", "kg-stable", 1)
    if with_rdflib:
        case("export", "rdflib", rdflib_repeat)
    cases["viz"] = {"kg": viz_time(folder, repeat, log)}
    if not big:
        # Validation is compared as whole processes, as a user would run each tool.
        log(f"  {label} validate (fast, pyshacl, jena shacl)")
        fast = [run_worker(["validate", "fast", str(folder), ""]) for _ in range(repeat)]
        cases["validate"] = {
            "fast": {
                "seconds": median_of(fast),
                "wall": median_of(fast, "wall"),
                "maxrss_mib": max(r.get("maxrss_mib", 0) for r in fast),
                "results": fast[0].get("results"),
            }
        }
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
            # What a user runs: `kg validate` on the index (built beforehand, as after
            # any earlier command); exit 1 means "does not conform", not a failure.
            kg_index(folder, Path(tmp) / "index")[0].close()
            command = [KG, "--store", f"oxigraph:{Path(tmp) / 'index'}", "--data", str(folder),
                       "validate", "--format", "json"]  # fmt: skip
            kg_output: list[bytes] = []
            cases["validate"]["kg-cli"] = {
                **process_time(command, repeat, ok=(0, 1), output=kg_output),
                "note": "kg validate, whole process, index exists",
            }
            kg_results = len(json.loads(kg_output[0])["results"]) if kg_output else None
            cases["validate"]["kg-cli"]["results"] = kg_results
        pyshacl = run_worker(["validate", "pyshacl", str(folder), ""], timeout=PYSHACL_LIMIT)
        cases["validate"]["pyshacl"] = {**pyshacl, "runs": 1}
        cases["validate"]["jena-shacl"] = jena_validation(folder, repeat, kg_results)
        log(f"  {label} validate-incremental (kg validate --changed after an edit)")
        cases["validate-incremental"] = {"kg-cli": changed_validation(folder, repeat)}
    return size_result


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each PASS or FAIL (or n/a when not measured)."""
    checks: list[dict[str, Any]] = []
    sizes = results["sizes"]

    def add(name: str, ok: bool | None, detail: str) -> None:
        checks.append(
            {
                "target": name,
                "status": "n/a" if ok is None else ("PASS" if ok else "FAIL"),
                "detail": detail,
            }
        )

    def sec(size: str, case: str, impl: str) -> float | None:
        entry = sizes.get(size, {}).get("cases", {}).get(case, {}).get(impl, {})
        value = entry.get("seconds")
        return float(value) if isinstance(value, (int, float)) else None

    big = "1m" if "1m" in sizes else None
    if big:
        kg, rdf, ox = (
            sec(big, "load", "kg"),
            sec(big, "load", "rdflib"),
            sec(big, "load", "pyoxigraph"),
        )
        disk = sec(big, "load", "pyoxigraph-disk")
        if kg and rdf and ox:
            # What the fastest loader measured reaches: a target above it is out of reach.
            add(
                "load 1M: >= 15x faster than rdflib",
                rdf / kg >= 15,
                f"{rdf / kg:.1f}x (bare pyoxigraph in memory: {rdf / ox:.1f}x)",
            )
            add(
                "load 1M: within 1.5x of bare pyoxigraph (in memory)",
                kg / ox <= 1.5,
                f"{kg / ox:.2f}x",
            )
        if kg and disk:
            add(
                "load 1M: within 1.5x of bare pyoxigraph (on disk, bulk_load per file)",
                kg / disk <= 1.5,
                f"{kg / disk:.2f}x",
            )
        queries = sizes[big]["cases"].get("queries", {})
        kgq = queries.get("kg", {}).get("queries", {})
        rdq = queries.get("rdflib", {}).get("queries")
        stopped = set(queries.get("rdflib", {}).get("stopped", []))
        oxq = queries.get("pyoxigraph", {}).get("queries", {})
        if kgq and rdq:
            worst = min((rdq[q] / max(kgq[q], 1e-9), q) for q in kgq if q in rdq)
            bound = ">= " if worst[1] in stopped else ""
            detail = f"worst {worst[1]}: {bound}{worst[0]:.1f}x"
            if worst[1] in oxq:
                # The same query on bare pyoxigraph in memory (rows counted, not converted).
                memory = rdq[worst[1]] / max(oxq[worst[1]], 1e-9)
                detail += f" (bare pyoxigraph in memory: {bound}{memory:.1f}x)"
            add("every saved query 1M: >= 20x faster than rdflib", worst[0] >= 20, detail)
        kge, rde = sec(big, "export", "kg"), sec(big, "export", "rdflib")
        if kge and rde:
            add(
                "Turtle export 1M (kg export --stream): >= 30x faster than rdflib",
                rde / kge >= 30,
                f"{rde / kge:.1f}x",
            )
        load = sizes[big]["cases"].get("load", {}).get("kg", {})
        peak = load.get("maxrss_mib")
        if peak:
            # The staging workers run one per core beside the main process: counted in full.
            children = load.get("children_mib", 0)
            cores = os.cpu_count() or 1
            total = peak + cores * children
            shown = f"{total:.0f} MiB"
            if children:
                workers = f"{cores} staging workers of {children:.0f} MiB at most"
                shown += f" ({peak:.0f} MiB + {workers})"
            add("peak memory at 1M (kg load) < 1 GiB", total < 1024, shown)
    if "100k" in sizes and "validate" in sizes["100k"]["cases"]:
        validate = sizes["100k"]["cases"]["validate"]
        # `kg validate` as a user runs it, else the library's fast engine on the files.
        fast = validate.get("kg-cli", {}).get("seconds") or validate["fast"].get("wall")
        jena_entry = validate.get("jena-shacl", {})
        jena_seconds = jena_entry.get("seconds")
        name = "full validation 100k: >= 2x faster than Jena shacl (whole process, same results)"
        if fast and jena_seconds and jena_entry.get("same_results"):
            shown = f"kg validate {fast:.2f}s, jena {jena_seconds:.2f}s"
            add(name, jena_seconds / fast >= 2, shown)
        else:
            add(name, None, jena_entry.get("note") or jena_entry.get("error", "not measured"))
    cli = results.get("cli", {})
    if "query" in cli and "seconds" in cli["query"]:
        add(
            "kg query NAME, the heaviest saved query (bundled, index exists) < 0.3 s",
            cli["query"]["seconds"] < 0.3,
            f"{cli['query']['command']}: {cli['query']['seconds']:.3f}s",
        )
    if "help" in cli and "seconds" in cli["help"]:
        add("kg --help < 0.2 s", cli["help"]["seconds"] < 0.2, f"{cli['help']['seconds']:.3f}s")
    return checks


# Saved queries whose parameter has no default, bound as the golden tests bind them.
BUNDLED_REQUIRED = {"entity": "msr:bmw-lmdh-customer-programme-decision"}


def heaviest_bundled_query() -> tuple[list[str], dict[str, float]]:
    """The arguments of the saved query whose whole process takes longest on the bundled
    knowledge (the index built first), and each query's time (one run each)."""
    from kg.answers.queries import registry

    each: dict[str, float] = {}
    arguments: dict[str, list[str]] = {}
    for name, query in sorted(registry().items()):
        arguments[name] = [name] + [
            item
            for param in query.params
            if param.required and param.name in BUNDLED_REQUIRED
            for item in ("-p", param.name, BUNDLED_REQUIRED[param.name])
        ]
        process_time([KG, "query", *arguments[name]], 1)  # the index, built or refreshed
        timing = process_time([KG, "query", *arguments[name]], 1)
        if "seconds" in timing:
            each[name] = timing["seconds"]
    heaviest = max(each, key=lambda name: each[name])
    return arguments[heaviest], each


GROWTH_FLAG = 1.1


def growth(results: dict[str, Any]) -> list[tuple[str, str, str, float]]:
    """(sizes, case, implementation, exponent) between consecutive sizes, for every case
    timed at both (and each saved query of kg): log(time ratio) / log(triples ratio)."""
    import itertools
    import math

    sizes = [(label, size) for label, size in results["sizes"].items() if size.get("triples")]
    found: list[tuple[str, str, str, float]] = []
    for (small, a), (big, b) in itertools.pairwise(sizes):
        span = f"{small}->{big}"
        scale = math.log(b["triples"] / a["triples"])
        for case, impls in a["cases"].items():
            for impl, entry in impls.items():
                other = b["cases"].get(case, {}).get(impl, {})
                pairs = [(case, entry.get("seconds"), other.get("seconds"))]
                if case == "queries":
                    pairs = [
                        (f"query {q}", entry.get("queries", {})[q], other.get("queries", {}).get(q))
                        for q in entry.get("queries", {})
                    ]
                for name, first, second in pairs:
                    numbers = isinstance(first, int | float) and isinstance(second, int | float)
                    if numbers and first > 0 and second > 0:
                        found.append((span, name, impl, math.log(second / first) / scale))
    return found


def write_report(results: dict[str, Any], out_dir: Path) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {results['date']} on {results['machine']} with",
        " and ".join(f"`python benchmarks/run.py {a}`" for a in results["argv"].split(" ; "))
        + f" (total run time {results['run_seconds']:.0f} s). Every baseline is measured in",
        "the same run as kg, side by side, so machine noise hits both alike.",
        f"Medians of {results['repeat']} runs unless noted; rdflib at 1 million triples runs",
        "once, an rdflib run over 10 s is not repeated, 10 million triples run once. A saved",
        f"query is run up to {QUICK_RUNS} times while its runs take under {QUICK_BUDGET:g} s in",
        "all, by every implementation alike. Times in seconds; memory is the peak RSS (VmHWM)",
        "of the subprocess that ran the case, and the note gives the largest peak of the",
        "worker processes it forked. Ratios are baseline time / kg time.",
        "",
        "## Targets",
        "",
        "| target | status | measured |",
        "| --- | --- | --- |",
    ]
    for check in results["targets"]:
        lines.append(f"| {check['target']} | {check['status']} | {check['detail']} |")
    for label, size in results["sizes"].items():
        lines += [
            "",
            f"## {label} ({size.get('triples') or '?'} triples, {size.get('files')} files)",
            "",
        ]
        lines += [
            "| case | implementation | seconds | peak MiB | note |",
            "| --- | --- | --- | --- | --- |",
        ]
        for case_name, impls in size["cases"].items():
            if case_name == "queries":
                continue
            for impl, entry in impls.items():
                seconds = entry.get("seconds")
                shown = f"{seconds:.3f}" if isinstance(seconds, (int, float)) else "-"
                peak = entry.get("maxrss_mib")
                note = entry.get("error") or entry.get("note") or ""
                if entry.get("children_mib", 0) >= 1:
                    extra = f"worker processes up to {entry['children_mib']:.0f} MiB each"
                    note = f"{note}; {extra}" if note else extra
                if case_name == "validate":
                    note = note or (
                        "whole process {:.2f} s".format(entry["wall"])
                        if entry.get("wall")
                        else "whole process"
                    )
                lines.append(
                    f"| {case_name} | {impl} | {shown} | {peak:.0f} | {note} |"
                    if peak
                    else f"| {case_name} | {impl} | {shown} | - | {note} |"
                )
        queries = size["cases"].get("queries", {})
        kgq = queries.get("kg", {}).get("queries", {})
        if kgq:
            lines += [
                "",
                "| saved query | kg | pyoxigraph | rdflib | rdflib / kg | rows |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            oxq = queries.get("pyoxigraph", {}).get("queries", {})
            rdq = queries.get("rdflib", {}).get("queries", {})
            stopped = set(queries.get("rdflib", {}).get("stopped", []))
            for name, seconds in kgq.items():
                rd = rdq.get(name)
                bound = ">= " if name in stopped else ""
                ratio = f"{bound}{rd / seconds:.0f}x" if rd and seconds else "-"
                lines.append(
                    f"| {name} | {seconds:.4f} | {oxq.get(name, 0):.4f} | "
                    + (f"{bound}{rd:.3f}" if rd else queries.get("rdflib", {}).get("note", "-"))
                    + f" | {ratio} | {queries['kg'].get('rows', {}).get(name, '-')} |"
                )
    rows = growth(results)
    if rows:
        lines += [
            "",
            "## Growth between sizes",
            "",
            f"The exponent of time against triples between consecutive sizes (1.0: in "
            f"proportion to the data); above {GROWTH_FLAG} it is flagged.",
            "",
            "| sizes | case | implementation | exponent |",
            "| --- | --- | --- | --- |",
        ]
        for span, name, impl, exponent in rows:
            flag = " **FLAG**" if exponent > GROWTH_FLAG else ""
            lines.append(f"| {span} | {name} | {impl} | {exponent:.2f}{flag} |")
    cli = results.get("cli", {})
    if cli:
        lines += ["", "## Whole-process times on the bundled knowledge", ""]
        for name, entry in cli.items():
            shown = (
                f"{entry['seconds']:.3f} s (median of {entry['runs']})"
                if "seconds" in entry
                else entry.get("error", "-")
            )
            lines.append(f"- `{entry.get('command', name)}`: {shown}")
    if results.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    text = "\n".join(lines) + "\n"
    (out_dir / "RESULTS.md").write_text(text, encoding="utf-8")
    (out_dir / "results.json").write_text(
        json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help=f"comma-separated: {', '.join(SIZES)}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--data-dir", type=Path, default=HERE / "data", help="where generated data goes"
    )
    parser.add_argument(
        "--out-dir", type=Path, default=HERE, help="where RESULTS.md and results.json go"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a tiny smoke run: 1k triples, one repeat"
    )
    parser.add_argument(
        "--combine",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="write one report from the results.json of earlier runs (sizes in order; "
        "the later run's whole-process figures), e.g. a 1m,10m run and a 10k,100k run",
    )
    parser.add_argument(
        "--worker", nargs=4, metavar=("OP", "IMPL", "FOLDER", "EXTRA"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        op, impl, folder, extra = args.worker
        print(json.dumps(worker(op, impl, Path(folder), extra)))
        return 0
    if args.combine:
        return combine(args.combine, args.out_dir)
    if args.quick:
        args.sizes, args.repeat = "1k", 1
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    for label in labels:
        parse_size(label)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "argv": " ".join(argv if argv is not None else sys.argv[1:]),
        "repeat": args.repeat,
        "sizes": {},
        "notes": [],
    }
    total_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    for label in labels:
        with_rdflib = True
        if parse_size(label) >= 10_000_000:
            # rdflib holds a million triples in about 1.6 GiB: ten million do not fit
            # beside everything else on a small machine, so only kg, bare pyoxigraph
            # and Jena run at this size.
            peak_1m = (
                results["sizes"].get("1m", {}).get("cases", {}).get("load", {})
                .get("rdflib", {}).get("maxrss_mib")
            )  # fmt: skip
            estimate = 10 * (peak_1m or 1650)
            if estimate > 0.6 * total_mib:
                with_rdflib = False
                reason = (
                    f"{label}: rdflib and pyshacl not run (rdflib's peak at 1M x10 = "
                    f"{estimate:.0f} MiB, over 60% of this machine's {total_mib:.0f} MiB)"
                )
                log(reason)
                results["notes"].append(reason)
        folder = args.data_dir / label
        log(f"generating {label} into {folder}")
        triples = generate(parse_size(label), folder)
        log(f"measuring {label} ({triples} triples)")
        # Ten million triples: one run of each case (several minutes each).
        runs = 1 if parse_size(label) >= 10_000_000 else args.repeat
        size_result = measure_size(label, folder, runs, log, with_rdflib)
        size_result["triples"] = triples
        size_result["files"] = len(data_files(folder))
        results["sizes"][label] = size_result
    log("measuring whole-process times of kg on the bundled knowledge")
    runs = 3 if args.quick else 10
    heaviest, each = heaviest_bundled_query()
    results["cli"] = {
        "help": {**process_time([KG, "--help"], runs), "command": "kg --help"},
        "query": {
            **process_time([KG, "query", *heaviest], runs),
            "command": "kg query " + " ".join(heaviest),
            "each": each,
        },
    }
    results["run_seconds"] = time.perf_counter() - started
    results["targets"] = targets(results)
    out_dir = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.quick and out_dir == HERE:
        out_dir = Path(tempfile.mkdtemp(prefix="kg-bench-quick-"))
    text = write_report(results, out_dir)
    for check in results["targets"]:
        print(f"{check['status']:4}  {check['target']}: {check['detail']}")
    print_growth(results)
    log(f"wrote {out_dir / 'RESULTS.md'} and {out_dir / 'results.json'}")
    del text
    return 0


def combine(folders: list[Path], out_dir: Path) -> int:
    """One report from several runs' results.json (each run measured side by side)."""
    runs = [json.loads((folder / "results.json").read_text(encoding="utf-8")) for folder in folders]
    merged: dict[str, Any] = {
        "date": " and ".join(sorted({run["date"] for run in runs})),
        "machine": runs[-1]["machine"],
        "argv": " ; ".join(run["argv"] for run in runs),
        "repeat": max(run["repeat"] for run in runs),
        "sizes": {},
        "notes": [note for run in runs for note in run.get("notes", [])],
        "cli": runs[-1].get("cli", {}),
        "run_seconds": sum(run["run_seconds"] for run in runs),
    }
    for label in sorted(
        {label for run in runs for label in run["sizes"]}, key=lambda label: parse_size(label)
    ):
        merged["sizes"][label] = next(run["sizes"][label] for run in runs if label in run["sizes"])
    merged["targets"] = targets(merged)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_report(merged, out_dir)
    for check in merged["targets"]:
        print(f"{check['status']:4}  {check['target']}: {check['detail']}")
    print_growth(merged)
    return 0


def print_growth(results: dict[str, Any]) -> None:
    for span, name, impl, exponent in growth(results):
        flag = "  FLAG" if exponent > GROWTH_FLAG else ""
        print(f"growth {span}  {name} ({impl}): {exponent:.2f}{flag}")


if __name__ == "__main__":
    raise SystemExit(main())
