"""Decisions cited by number: the reference list, JSON and Markdown of `kg decisions`.

The text layout of `kg decisions` lives in kg/cli/decisions_cmd.py; what is shared
with the briefings (numbered citations, reference lines, JSON) lives here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from rdflib import URIRef

from kg.answers.briefing.context import Context, source_context
from kg.answers.briefing.render import _md_escape, _reference_text
from kg.answers.briefing.words import words
from kg.answers.decisions import Decision, Named, Source
from kg.knowledge.asof import visible_graphs
from kg.knowledge.project import Knowledge
from kg.model.timeutil import TimeInterval, format_interval


def citer(
    knowledge: Knowledge, found: Sequence[Decision], as_of: date | None, lang: str
) -> Context:
    """A context that numbers the sources of `found` in the order they are cited."""
    sources = {s.iri for d in found for s in d.sources}
    return source_context(knowledge.store, sources, visible_graphs(knowledge, as_of), lang)


def marks(ctx: Context, sources: Sequence[Source]) -> str:
    return "".join(f"[{n}]" for n in ctx.cite([URIRef(s.iri) for s in sources]))


def references(ctx: Context, lang: str, markdown: bool = False) -> str:
    found = sorted(ctx.references.values(), key=lambda r: r.number)
    if not found:
        return ""
    title = words(lang)["references"]
    if markdown:
        lines = ["", f"## {title}", ""]
        lines += [f"{r.number}. {_md_escape(_reference_text(r, lang))}" for r in found]
    else:
        lines = ["", title]
        lines += [f"  [{r.number}] {_reference_text(r, lang)}" for r in found]
    return "\n".join(lines) + "\n"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(_md_escape(c).replace("|", "\\|") for c in cells) + " |"

    lines = [row(header), "|" + "|".join(" --- " for _ in header) + "|"]
    lines += [row(r) for r in rows]
    return "\n".join(lines) + "\n"


def _interval(interval: TimeInterval | None, lang: str) -> dict[str, object] | None:
    if interval is None:
        return None
    return {
        "text": format_interval(interval, lang),
        "earliest": interval.earliest.isoformat() if interval.earliest else None,
        "latest": interval.latest.isoformat() if interval.latest else None,
        "precision": interval.precision,
    }


def as_dict(decision: Decision, ctx: Context, lang: str) -> dict[str, object]:
    """A decision for programs: stable keys, IRIs beside labels, citations by number."""

    def named(items: Sequence[Named]) -> list[dict[str, str]]:
        return [{"iri": i.iri, "label": i.label} for i in items]

    def cites(sources: Sequence[Source]) -> list[int]:
        return list(ctx.cite([URIRef(s.iri) for s in sources]))

    return {
        "iri": decision.iri,
        "label": decision.label,
        "question": decision.question,
        "owner": named(decision.owner),
        "owner_people": named(decision.owner_people),
        "concerns": named(decision.concerns),
        "process": named(decision.process),
        "options": named(decision.options),
        "status": named([decision.status])[0] if decision.status else None,
        "since": _interval(decision.since, lang),
        "expected": _interval(decision.expected, lang),
        "pending": decision.pending,
        "decided": decision.decided,
        "dropped": decision.dropped,
        "overdue": decision.overdue,
        "judged_on": decision.day.isoformat(),
        "as_of": decision.as_of.isoformat() if decision.as_of else None,
        "history": [
            {
                "status": named([e.status])[0],
                "valid_at": _interval(e.valid_at, lang),
                "expected": _interval(e.expected, lang),
                "attributed_to": named(e.attributed_to),
                "cites": cites(e.sources),
            }
            for e in decision.history
        ],
        "outcomes": [
            {
                "chosen_option": named([o.chosen_option])[0] if o.chosen_option else None,
                "decided_at": _interval(o.decided_at, lang),
                "description": o.description,
                "cites": cites(o.sources),
            }
            for o in decision.outcomes
        ],
        "considerations": [
            {
                "criterion": named([c.criterion])[0] if c.criterion else None,
                "description": c.description,
                "attributed_to": named(c.attributed_to),
                "cites": cites(c.sources),
            }
            for c in decision.considerations
        ],
        "cites": cites(decision.sources),
    }


def as_json(found: Sequence[Decision], ctx: Context, lang: str) -> str:
    decisions = [as_dict(d, ctx, lang) for d in found]
    payload = {
        "schema_version": 1,
        "lang": lang,
        "decisions": decisions,
        "references": [
            dict(vars(r)) for r in sorted(ctx.references.values(), key=lambda r: r.number)
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
