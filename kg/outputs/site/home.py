"""What the home page leads with: the pending decisions, what changed, the entities.

The pending decisions come from kg.answers.decisions: status, since when, the
expected time in words, who said so in which source and when. Whether one is
overdue depends on the day the page is read, not the day it was built (a build
must give the same bytes tomorrow), so each row carries the last day of its
expected window and a few lines of script flag it against the reader's today
(`index.html?today=YYYY-MM-DD` reads the page as of another day).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from rdflib import URIRef

from kg.model.namespaces import shorten
from kg.outputs.viz.when import day_in_words, in_words

if TYPE_CHECKING:
    from kg.answers.decisions import Decision, StatusEntry
    from kg.answers.labels import Labels
    from kg.knowledge.asof import SourcePublication
    from kg.knowledge.project import Knowledge

# How many of the newest sources "What changed" lists, and names per class in "Entities".
NEWEST_SOURCES = 5
NAMES_PER_CLASS = 12

OVERDUE_SCRIPT = """<script>
(function () {
  // Overdue is judged on the reader's today (or ?today=YYYY-MM-DD), not the build's.
  var asked = /[?&]today=(\\d{4}-\\d{2}-\\d{2})/.exec(location.search);
  var now = new Date();
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var today = asked ? asked[1]
    : now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  document.querySelectorAll("[data-expected-end]").forEach(function (row) {
    var late = row.getAttribute("data-expected-end") < today;
    row.classList.toggle("overdue", late);
    row.querySelector(".overdue-flag").hidden = !late;
  });
  document.querySelectorAll(".today").forEach(function (item) { item.textContent = today; });
})();
</script>"""


def pending_section(knowledge: Knowledge, labels: Labels, lang: str) -> str:
    from kg.answers.decisions import list_decisions
    from kg.model.timeutil import format_interval

    # The day does not matter here (overdue is flagged in the browser); fixed, so
    # that nothing in the page depends on the clock.
    pending = [d for d in list_decisions(knowledge, lang=lang, today=date(2000, 1, 1)) if d.pending]
    parts = ['<section id="pending"><h2 id="pending-decisions">Pending decisions</h2>']
    if not pending:
        parts.append("<p>No pending decision is recorded.</p></section>")
        return "".join(parts)
    parts.append(
        '<table class="decisions"><thead><tr><th>decision</th><th>status</th>'
        "<th>decision expected</th><th>who said so, and when</th></tr></thead><tbody>"
    )
    for decision in pending:
        expected = format_interval(decision.expected, lang) if decision.expected else "not said"
        end = decision.expected.latest if decision.expected is not None else None
        attributes = f' data-expected-end="{end.isoformat()}"' if end is not None else ""
        flag = ""
        if end is not None:
            flag = (
                '<br><strong class="overdue-flag" hidden>overdue: the expected time ended on '
                f"{day_in_words(end)}"
                ' (today is <span class="today"></span>)</strong>'
            )
        status = decision.status.label if decision.status is not None else "unknown"
        since = f" since {in_words(decision.since)}" if decision.since is not None else ""
        owner = ", ".join(o.label for o in decision.owner)
        who = _who_said(decision, labels)
        parts.append(
            f'<tr class="decision"{attributes}>'
            f"<td><strong>{escape(decision.question or decision.label)}</strong>"
            f"<br><small>{escape(decision.label)}"
            f"{escape(' (' + owner + ')') if owner else ''}</small></td>"
            f"<td>{escape(status)}{escape(since)}</td>"
            f"<td>{escape(expected)}{flag}</td><td>{who}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(OVERDUE_SCRIPT)
    parts.append("</section>")
    return "".join(parts)


def _who_said(decision: Decision, labels: Labels) -> str:
    """The latest status report: who it is attributed to, in which source, published when."""
    latest: StatusEntry | None = decision.history[-1] if decision.history else None
    if latest is None:
        return ""
    people = ", ".join(person.label for person in latest.attributed_to)
    named: list[str] = []
    for source in latest.sources:
        title, when = labels.of(URIRef(source.iri)), in_words(source.published)
        # Some titles already end with their date: "… Motorsport-Total.com (July 2023)".
        named.append(title if not when or when in title else f"{title} ({when})")
    sources = "; ".join(named)
    said = f"{people}, in " if people else "In "
    return escape(f"{said}{sources}" if sources else people)


def changes_section(
    knowledge: Knowledge, sources: Sequence[SourcePublication], labels: Labels
) -> str:
    """The newest sources first, each with what it added (its claims)."""
    parts = ['<section id="changes"><h2>What changed</h2>']
    dated = sorted(
        (s for s in sources if s.published is not None),
        key=lambda s: (s.published.sort_key() if s.published else (), s.document),
        reverse=True,
    )
    if not dated:
        parts.append("<p>No dated source is recorded.</p></section>")
        return "".join(parts)
    parts.append('<ol class="changes">')
    for source in dated[:NEWEST_SOURCES]:
        claims = _claim_count(knowledge, source.graph)
        kind = "official results" if source.official else "source"
        parts.append(
            f"<li><strong>{escape(in_words(source.published))}</strong>: "
            f"{escape(labels.of(URIRef(source.document)))} "
            f"<small>({escape(kind)}, {claims} claim{'s' if claims != 1 else ''})</small></li>"
        )
    parts.append("</ol>")
    if len(dated) > NEWEST_SOURCES:
        parts.append(f'<p><a href="#sources">All {len(dated)} sources</a></p>')
    parts.append("</section>")
    return "".join(parts)


_CLAIMS = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT (COUNT(DISTINCT ?claim) AS ?count) WHERE { ?claim ms:statedIn ?source }
"""

_ENTITIES = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?type WHERE {
  ?entity a ?type ; skos:prefLabel ?label .
  FILTER(isIRI(?entity))
  FILTER NOT EXISTS { ?entity ms:statedIn ?source }
}
"""


def _claim_count(knowledge: Knowledge, graph: str) -> int:
    from rdflib import Literal

    rows = knowledge.store.query(_CLAIMS, graphs=[graph]).rows
    value = rows[0][0] if rows else None
    return int(value.toPython()) if isinstance(value, Literal) else 0


def curated_entities(knowledge: Knowledge, graphs: Sequence[str]) -> dict[str, set[str]]:
    """The named things the curated sources talk about, by class IRI."""
    rows = knowledge.store.query(_ENTITIES, graphs=list(graphs)).rows
    by_class: dict[str, set[str]] = {}
    for entity, cls in rows:
        if isinstance(entity, URIRef) and isinstance(cls, URIRef):
            by_class.setdefault(str(cls), set()).add(str(entity))
    return by_class


def entities_section(
    knowledge: Knowledge,
    graphs: Sequence[str],
    lang: str,
    pages: Mapping[str, str] | None = None,
) -> str:
    """The named things the curated sources talk about, by class, most populous first,
    each linked to its page (`pages`: IRI to path) where it has one."""
    from kg.answers.labels import fetch_labels

    by_class = curated_entities(knowledge, graphs)
    terms = [URIRef(i) for i in by_class] + [URIRef(e) for es in by_class.values() for e in es]
    labels = fetch_labels(knowledge.store, terms, lang)
    parts = ['<section id="entities"><h2>Entities</h2>']
    if not by_class:
        parts.append("<p>No named entity is recorded.</p></section>")
        return "".join(parts)
    parts.append('<table class="entities"><tbody>')
    ordered = sorted(
        by_class.items(), key=lambda item: (-len(item[1]), labels.of(URIRef(item[0])), item[0])
    )
    for class_iri, members in ordered:
        names = sorted((labels.of(URIRef(m)), m) for m in members)
        shown = ", ".join(
            entity_name(iri, name, pages or {}) for name, iri in names[:NAMES_PER_CLASS]
        )
        more = len(names) - NAMES_PER_CLASS
        rest = f" <small>and {more} more</small>" if more > 0 else ""
        parts.append(
            f"<tr><th>{escape(labels.of(URIRef(class_iri)))} ({len(names)})</th>"
            f"<td>{shown}{rest}</td></tr>"
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def entity_name(iri: str, name: str, pages: Mapping[str, str]) -> str:
    """An entity in the lists of the home page: a link to its page where it has one."""
    title = escape(shorten(iri))
    if iri in pages:
        return f'<a class="entity" href="{escape(pages[iri])}" title="{title}">{escape(name)}</a>'
    return f'<span class="entity" title="{title}">{escape(name)}</span>'
