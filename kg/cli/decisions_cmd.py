"""kg decisions, kg decisions show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import click

from kg.cli.common import (
    Settings,
    answer_format_option,
    as_of_option,
    handle_errors,
    lang_option,
    pass_settings,
)

if TYPE_CHECKING:
    from kg.answers.briefing.context import Context
    from kg.answers.decisions import Decision, Named
    from kg.model.timeutil import TimeInterval

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "decision": "decision",
        "owner": "owner",
        "status": "status",
        "since": "since",
        "expected": "expected",
        "overdue": "overdue",
        "sources": "sources",
        "yes": "yes",
        "no": "no",
        "none": "none",
        "through": "through",
        "question": "Question",
        "Owner": "Owner",
        "concerns": "Concerns",
        "process": "Process",
        "Status": "Status",
        "Expected": "Expected",
        "Overdue": "Overdue",
        "as_known": "As known on",
        "everything": "everything in the graph",
        "history": "History",
        "outcome": "Outcome",
        "options": "Options",
        "considerations": "Considerations",
        "Sources": "Sources",
        "published": "published",
        "per": "per",
        "chose": "chose",
        "not_recorded": "none recorded",
        "overdue_why": "the expected time ended before {day} and no outcome is known",
        "empty": "No decisions are known{when}.",
        "empty_status": "No decisions with status {status} are known{when}.",
        "when": " as of {day}",
        "count": "({n} decision{s}{when})",
        "unknown": "unknown",
    },
    "de": {
        "decision": "Entscheidung",
        "owner": "Eigentümer",
        "status": "Stand",
        "since": "seit",
        "expected": "erwartet",
        "overdue": "überfällig",
        "sources": "Quellen",
        "yes": "ja",
        "no": "nein",
        "none": "keine",
        "through": "vertreten durch",
        "question": "Frage",
        "Owner": "Eigentümer",
        "concerns": "Betrifft",
        "process": "Verfahren",
        "Status": "Stand",
        "Expected": "Erwartet",
        "Overdue": "Überfällig",
        "as_known": "Wissensstand am",
        "everything": "alles im Graphen",
        "history": "Verlauf",
        "outcome": "Ergebnis",
        "options": "Optionen",
        "considerations": "Erwägungen",
        "Sources": "Quellen",
        "published": "veröffentlicht",
        "per": "laut",
        "chose": "gewählt",
        "not_recorded": "keines erfasst",
        "overdue_why": "die erwartete Zeit endete vor dem {day} und kein Ergebnis ist bekannt",
        "empty": "Keine Entscheidungen bekannt{when}.",
        "empty_status": "Keine Entscheidungen mit dem Stand {status} bekannt{when}.",
        "when": " am {day}",
        "count": "({n} Entscheidung{s}{when})",
        "unknown": "unbekannt",
    },
}


def _time(interval: TimeInterval | None, lang: str) -> str:
    """A time in words ("July 2023"); a vague one with the source's wording."""
    from kg.answers.briefing.when import interval_words
    from kg.model.timeutil import format_interval

    if interval is None:
        return "-"
    own = interval.wording_in(lang)
    if own and not interval.is_unknown:
        return f"{own} ({interval_words(interval, lang)})"
    if interval.expressions or interval.is_unknown:
        return format_interval(interval, lang)
    return interval_words(interval, lang)


def _owner(decision: Decision) -> str:
    owners = ", ".join(o.label for o in decision.owner) or "-"
    if decision.owner_people:
        owners += " (" + ", ".join(p.label for p in decision.owner_people) + ")"
    return owners


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    # No truncation: a source or a label cut short cannot be cited.
    widths = [len(h) for h in header]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in rows)
    return "\n".join(out) + "\n"


@click.group(invoke_without_command=True)
@click.option(
    "--status",
    metavar="STATUS",
    help="Only decisions with this status: pending, overdue, open, under-evaluation, "
    "decided, dropped, deferred.",
)
@answer_format_option()
@as_of_option
@lang_option
@click.pass_context
@handle_errors
def decisions(
    ctx: click.Context, status: str | None, output_format: str, as_of: date | None, lang: str
) -> None:
    """Decisions with their owner, current status, since when, expected time,
    overdue flag and sources.

    A decision is overdue when its expected time ended before the day (the
    --as-of day, else today) and no outcome is known by then. With --as-of,
    only sources published by that day count.

    \b
    Examples:
      kg decisions
      kg decisions --status pending --as-of 2023-08-01
      kg decisions --lang de
      kg decisions show msr:bmw-lmdh-customer-programme-decision
    """
    ctx.meta["decisions.as_of"] = as_of
    ctx.meta["decisions.lang"] = lang
    ctx.meta["decisions.format"] = output_format
    if ctx.invoked_subcommand is not None:
        return
    from kg.answers.decisions import check_status, list_decisions

    settings = ctx.find_object(Settings) or Settings()
    wanted = check_status(status)
    knowledge = settings.open()
    found = list_decisions(knowledge, as_of=as_of, lang=lang, status=wanted)
    words = WORDS[lang]
    when = words["when"].format(day=as_of) if as_of else ""
    if not found:
        key = "empty_status" if wanted else "empty"
        click.echo(words[key].format(status=wanted, when=when))
        return
    from kg.answers.decision_text import as_json, citer, markdown_table, marks, references

    cites = citer(knowledge, found, as_of, lang)
    if output_format == "json":
        click.echo(as_json(found, cites, lang), nl=False)
        return
    header = [
        words[k] for k in ("decision", "owner", "status", "since", "expected", "overdue", "sources")
    ]
    rows = [
        [
            d.label,
            _owner(d),
            d.status.label if d.status else "-",
            _time(d.since, lang),
            _time(d.expected, lang),
            words["yes"] if d.overdue else words["no"],
            marks(cites, d.sources) or "-",
        ]
        for d in found
    ]
    plural = "" if len(found) == 1 else ("s" if lang == "en" else "en")
    count = words["count"].format(n=len(found), s=plural, when=when)
    if output_format == "markdown":
        click.echo(markdown_table(header, rows) + "\n" + count + "\n", nl=False)
        click.echo(references(cites, lang, markdown=True), nl=False)
        return
    click.echo(_table(header, rows), nl=False)
    click.echo(count)
    click.echo(references(cites, lang), nl=False)


@decisions.command()
@click.argument("decision")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default=None,
    help="text for people, markdown for an article draft, json for programs "
    "(default: the group's --format, else text).",
)
@as_of_option
@lang_option
@pass_settings
@click.pass_context
@handle_errors
def show(
    ctx: click.Context,
    settings: Settings,
    decision: str,
    output_format: str | None,
    as_of: date | None,
    lang: str,
) -> None:
    """The whole history of one DECISION (IRI, prefixed name or label): status
    reports, outcome, options and considerations, each with its source.

    \b
    Examples:
      kg decisions show msr:bmw-lmdh-customer-programme-decision
      kg decisions show "BMW decision on an LMDh customer programme" --as-of 2024-02-15
    """
    from kg.answers.decisions import get_decision

    parent = ctx.parent.meta if ctx.parent is not None else {}
    as_of = as_of or parent.get("decisions.as_of")
    if ctx.get_parameter_source("lang") == click.core.ParameterSource.DEFAULT:
        lang = parent.get("decisions.lang", lang)
    from kg.answers.decision_text import as_json, citer, references

    output_format = output_format or parent.get("decisions.format", "text")
    knowledge = settings.open()
    found = get_decision(knowledge, decision, as_of=as_of, lang=lang)
    cites = citer(knowledge, [found], as_of, lang)
    if output_format == "json":
        click.echo(as_json([found], cites, lang), nl=False)
        return
    markdown = output_format == "markdown"
    text = describe(found, lang, cites, markdown)
    click.echo(text + references(cites, lang, markdown), nl=False)


def _names(items: Sequence[Named]) -> str:
    return "; ".join(item.label for item in items) or "-"


def describe(decision: Decision, lang: str, cites: Context, markdown: bool = False) -> str:
    """The text of `kg decisions show`: sections of lines, sources cited by number."""
    from kg.answers.decision_text import marks

    words = WORDS[lang]
    out = [f"# {decision.label}" if markdown else decision.label]
    out.append(f"{words['as_known']}: {decision.as_of or words['everything']}")
    if decision.question:
        out.append(f"{words['question']}: {decision.question}")
    owner = ", ".join(o.label for o in decision.owner) or "-"
    if decision.owner_people:
        owner += f", {words['through']} " + ", ".join(p.label for p in decision.owner_people)
    out.append(f"{words['Owner']}: {owner}")
    out.append(f"{words['concerns']}: {_names(decision.concerns)}")
    out.append(f"{words['process']}: {_names(decision.process)}")
    status = decision.status.label if decision.status else "-"
    if decision.since is not None:
        status += f" {words['since']} {_time(decision.since, lang)}"
    out.append(f"{words['Status']}: {status}")
    out.append(f"{words['Expected']}: {_time(decision.expected, lang)}")
    overdue = words["no"]
    if decision.overdue:
        overdue = f"{words['yes']} ({words['overdue_why'].format(day=decision.day)})"
    out.append(f"{words['Overdue']}: {overdue}")

    out.append("")
    out.append(f"{words['history']}:")
    for entry in decision.history:
        text = entry.status.label
        if entry.expected is not None:
            text += f"; {words['expected']} {_time(entry.expected, lang)}"
        if entry.attributed_to:
            text += f"; {words['per']} " + ", ".join(p.label for p in entry.attributed_to)
        out.append(f"  - {_time(entry.valid_at, lang)}: {text} {marks(cites, entry.sources)}")
    if not decision.history:
        out.append(f"  {words['none']}")

    out.append(f"{words['outcome']}:")
    for outcome in decision.outcomes:
        parts = []
        if outcome.chosen_option is not None:
            parts.append(f"{words['chose']} {outcome.chosen_option.label}")
        if outcome.description:
            parts.append(outcome.description)
        when = _time(outcome.decided_at, lang)
        out.append(f"  - {when}: {'; '.join(parts)} {marks(cites, outcome.sources)}")
    if not decision.outcomes:
        out.append(f"  {words['not_recorded']}")

    out.append(f"{words['options']}:")
    out.extend(f"  - {option.label}" for option in decision.options)
    if not decision.options:
        out.append(f"  {words['none']}")

    out.append(f"{words['considerations']}:")
    for item in decision.considerations:
        criterion = item.criterion.label if item.criterion else "-"
        text = f"  - {criterion}: {item.description or ''}".rstrip()
        if item.attributed_to:
            text += f" ({words['per']} " + ", ".join(p.label for p in item.attributed_to) + ")"
        out.append(f"{text} {marks(cites, item.sources)}")
    if not decision.considerations:
        out.append(f"  {words['none']}")

    if markdown:
        out = [_markdown_heading(line) for line in out]
    return "\n".join(out) + "\n"


def _markdown_heading(line: str) -> str:
    """Markdown of one line of the text: "History:" becomes a heading, items stay items."""
    if line.endswith(":") and not line.startswith(" "):
        return f"\n## {line[:-1]}\n"
    if line.startswith("  - "):
        return line[2:]
    if line.startswith("  "):
        return line.strip()
    return line if line.startswith("#") or not line else line + "  "
