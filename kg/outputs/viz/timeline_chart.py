"""The decision timeline drawn: a row per decision with its statuses, expected windows
and outcome on a time axis, and the as-of line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kg.model.namespaces import MSV, shorten
from kg.outputs.viz.plotting import RC, legend_dots, saved, shorten_text

STATUS_COLOURS: dict[str, str] = {
    str(MSV.Open): "#4e79a7",
    str(MSV.UnderEvaluation): "#f28e2b",
    str(MSV.Decided): "#59a14f",
    str(MSV.Dropped): "#e15759",
    str(MSV.Deferred): "#b07aa1",
}


@dataclass(frozen=True)
class Report:
    """One status report of a decision: its status, when it held, the window it expected."""

    decision: str
    report: str
    status: str
    valid: tuple[date, date] | None
    expected: tuple[date, date] | None
    expected_text: str
    # (source, outlet) IRIs, when each source appeared in words, and all that as a line.
    sources: list[tuple[str, str]] = field(default_factory=list, compare=False)
    published: dict[str, str] = field(default_factory=dict, compare=False)
    source_text: str = ""


# An outcome: its decision, when it was decided (earliest, latest day) and the option chosen.
Outcome = tuple[str, tuple[date, date] | None, str]

_WORDS = {
    "en": (
        "expected decision window",
        "as of",
        "outcome",
        "no decisions known",
        "today",
        "overdue",
    ),
    "de": (
        "erwarteter Entscheidungszeitraum",
        "Stand",
        "Ergebnis",
        "keine Entscheidungen bekannt",
        "heute",
        "überfällig",
    ),
}
OVERDUE_COLOUR = "#c62828"


@dataclass(frozen=True)
class _Chart:
    """A timeline being drawn: its axes, each decision's row, how a term is named, and
    what the drawing gathers (the days shown, each status label's colour)."""

    axes: Any
    rows: dict[str, int]
    label: Callable[[str], str]
    days: list[date] = field(default_factory=list)
    status_seen: dict[str, str] = field(default_factory=dict)


def timeline_bytes(
    decisions: Sequence[str],
    reports: Sequence[Report],
    outcomes: Sequence[Outcome],
    label: Callable[[str], str],
    questions: Mapping[str, str],
    as_of: date | None,
    title: str,
    image_format: str,
    lang: str,
    *,
    today: date | None = None,
    overdue: Collection[str] = (),
) -> bytes:
    """The timeline as SVG or PNG bytes; `label` names a decision, status or option.

    `today` draws a line on that day; the decisions in `overdue` get their expected
    window drawn as overdue."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    words = _WORDS.get(lang, _WORDS["en"])
    rows = {decision: index for index, decision in enumerate(decisions)}
    height = max(3.0, 1.6 + 1.4 * len(decisions))
    with plt.rc_context(RC):
        figure, axes = plt.subplots(figsize=(12, height))
        try:
            axes.set_title(title, fontsize=13)
            chart = _Chart(axes, rows, label)
            _draw_reports(chart, reports, overdue, words[5])
            _draw_outcomes(chart, outcomes)
            if as_of is not None:
                _draw_as_of(chart, as_of, len(decisions), words[1])
            elif today is not None:
                _draw_today(chart, today, len(decisions), words[4])
            if not decisions:
                axes.text(
                    0.5,
                    0.5,
                    words[3] + (f" ({words[1]} {as_of})" if as_of else ""),
                    transform=axes.transAxes,
                    ha="center",
                    va="center",
                    fontsize=12,
                )
            _draw_axes(chart, decisions, questions)
            _draw_legend(chart, bool(outcomes), words, bool(overdue))
            return saved(figure, image_format)
        finally:
            plt.close(figure)


def _draw_reports(
    chart: _Chart, reports: Sequence[Report], overdue: Collection[str], overdue_word: str
) -> None:
    """Each report in its decision's row, in lanes so that reports of one row stay apart;
    the last expected window of an overdue decision is drawn as overdue."""
    per_row_count: dict[str, int] = defaultdict(int)
    last_expected = {r.decision: r.report for r in reports if r.expected is not None}
    for report in reports:
        y = chart.rows[report.decision]
        lane = per_row_count[report.decision]
        per_row_count[report.decision] += 1
        if report.expected is not None:
            late = report.decision in overdue and last_expected[report.decision] == report.report
            _draw_expected(
                chart, report.expected, report.expected_text, y, lane, overdue_word if late else ""
            )
        if report.valid is None:
            continue
        _draw_status(chart, report, report.valid, y, lane)


def _draw_expected(
    chart: _Chart,
    expected: tuple[date, date],
    text: str,
    y: int,
    lane: int,
    overdue_word: str = "",
) -> None:
    """The window in which a report expected the decision: a pale bar with its words;
    red, and "overdue" after it, when the decision is still awaited past its end."""
    axes = chart.axes
    low, high = expected
    start = _day_number(low)
    width = max(_day_number(high) - start, 1.0)
    axes.barh(
        y - 0.28 + 0.08 * (lane % 3),
        width,
        left=start,
        height=0.14,
        color="#f4b6b6" if overdue_word else "#9ecae1",
        alpha=0.6,
        edgecolor=OVERDUE_COLOUR if overdue_word else "#3182bd",
        hatch="//" if overdue_word else None,
        zorder=1,
    )
    if overdue_word:
        axes.text(
            start + width,
            y - 0.21 + 0.08 * (lane % 3),
            f" {overdue_word} ({high.isoformat()} →)",
            fontsize=8,
            fontweight="bold",
            ha="left",
            va="center",
            color=OVERDUE_COLOUR,
            zorder=4,
        )
    axes.text(
        start + width / 2,
        y - 0.36 + 0.08 * (lane % 3),
        text,
        fontsize=7,
        ha="center",
        va="top",
        color="#08519c",
    )
    chart.days.extend([low, high])


def _draw_status(
    chart: _Chart, report: Report, valid: tuple[date, date], y: int, lane: int
) -> None:
    """The status a report gives, where it held: a dot in the status colour, a line for
    a span of days, the status label above."""
    axes = chart.axes
    low, high = valid
    colour = STATUS_COLOURS.get(report.status, "#7f7f7f")
    status_label = chart.label(report.status) or "?"
    chart.status_seen[status_label] = colour
    start, end = _day_number(low), _day_number(high)
    if end > start:
        axes.plot([start, end], [y, y], color=colour, lw=6, solid_capstyle="butt", zorder=2)
    axes.plot(
        [(start + end) / 2],
        [y],
        marker="o",
        markersize=9,
        color=colour,
        markeredgecolor="#333333",
        zorder=3,
    )
    axes.text(
        (start + end) / 2,
        y + 0.12 + 0.1 * (lane % 2),
        status_label,
        fontsize=8,
        ha="center",
        va="bottom",
        zorder=4,
    )
    if report.source_text:
        # Who said so, and when: the outlet (else the title) and the publication date.
        axes.text(
            (start + end) / 2,
            y + 0.16 + 0.1 * (lane % 2),
            shorten_text(report.source_text, 70),
            fontsize=7,
            ha="center",
            va="top",
            color="#555555",
            zorder=4,
        )
    chart.days.extend([low, high])


def _draw_outcomes(chart: _Chart, outcomes: Sequence[Outcome]) -> None:
    """A star where each decision was taken, with the option chosen below it."""
    axes, rows = chart.axes, chart.rows
    for decision, when, chosen in outcomes:
        if when is None or decision not in rows:
            continue
        middle = _day_number(when[0]) + (_day_number(when[1]) - _day_number(when[0])) / 2
        axes.plot(
            [middle],
            [rows[decision]],
            marker="*",
            markersize=15,
            color="#2ca02c",
            markeredgecolor="#333333",
            zorder=5,
        )
        if chosen:
            axes.text(
                middle,
                rows[decision] - 0.15,
                chart.label(chosen),
                fontsize=8,
                ha="center",
                va="top",
            )
        chart.days.extend(when)


def _draw_as_of(chart: _Chart, as_of: date, count: int, as_of_word: str) -> None:
    """A dashed red line on the as-of day, named at the top."""
    axes = chart.axes
    axes.axvline(_day_number(as_of), color="#d62728", linestyle="--", lw=1.2, zorder=6)
    axes.text(
        _day_number(as_of),
        count - 0.45 if count else 0.4,
        f" {as_of_word} {as_of.isoformat()}",
        color="#d62728",
        fontsize=8,
        va="top",
    )
    chart.days.append(as_of)


def _draw_today(chart: _Chart, today: date, count: int, today_word: str) -> None:
    """A solid dark line on today, named at the top."""
    axes = chart.axes
    axes.axvline(_day_number(today), color="#333333", linestyle="-", lw=1.4, zorder=6)
    axes.text(
        _day_number(today),
        count - 0.45 if count else 0.4,
        f" {today_word} {today.isoformat()}",
        color="#333333",
        fontsize=8,
        va="top",
    )
    chart.days.append(today)


def _draw_axes(chart: _Chart, decisions: Sequence[str], questions: Mapping[str, str]) -> None:
    """A row name per decision, and a date axis over the days drawn."""
    from matplotlib import dates as mdates

    axes, label, days = chart.axes, chart.label, chart.days
    # A decision without a label is named by its question.
    names = [
        shorten_text(questions.get(d, label(d)) if label(d) == shorten(d) else label(d), 60)
        for d in decisions
    ]
    axes.set_yticks(range(len(decisions)), names)
    axes.set_ylim(-0.8, max(len(decisions) - 0.2, 0.8))
    axes.invert_yaxis()
    if days:
        low_day, high_day = min(days), max(days)
        pad = max((_day_number(high_day) - _day_number(low_day)) * 0.06, 20)
        axes.set_xlim(_day_number(low_day) - pad, _day_number(high_day) + pad)
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_formatter(formatter)
    axes.grid(axis="x", color="#dddddd", zorder=0)


def _draw_legend(
    chart: _Chart, outcomes: bool, words: tuple[str, ...], overdue: bool = False
) -> None:
    """The statuses seen, the expected window (overdue, if one is) and (if drawn) the
    outcome star."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = legend_dots(chart.status_seen)
    handles.append(Patch(facecolor="#9ecae1", edgecolor="#3182bd", label=words[0]))
    if overdue:
        handles.append(
            Patch(
                facecolor="#f4b6b6",
                edgecolor=OVERDUE_COLOUR,
                hatch="//",
                label=f"{words[0]}: {words[5]}",
            )
        )
    if outcomes:
        handles.append(
            Line2D(
                [0],
                [0],
                marker="*",
                linestyle="",
                markersize=12,
                markerfacecolor="#2ca02c",
                label=words[2],
            )
        )
    chart.axes.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
    )


def _day_number(day: date) -> float:
    from matplotlib import dates as mdates

    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]
