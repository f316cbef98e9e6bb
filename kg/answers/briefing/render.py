"""A briefing as text for the terminal, Markdown for an article draft, or JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from kg.answers.briefing.model import Briefing, Line, Reference
from kg.answers.briefing.words import words
from kg.model.namespaces import shorten


def _marks(cites: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in cites)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _line_text(line: Line, lang: str) -> str:
    text = _capital(f"{line.when}: {line.text}" if line.when else line.text)
    if line.quote:
        text += f': "{line.quote}"'
        if line.translation:
            text += f' ({words(lang)["translation"]}: "{line.translation}")'
    marks = _marks(line.cites)
    return f"{text} {marks}" if marks else text


def _reference_text(reference: Reference, lang: str) -> str:
    w = words(lang)
    parts = [reference.title + (f" ({w['our title']})" if reference.our_title else "")]
    for value in (reference.outlet, reference.author):
        if value:
            parts.append(value)
    parts.append(w["published"].format(t=reference.published))
    if reference.language:
        parts.append(reference.language)
    if reference.text_file:
        key = "text file" if reference.text_file.endswith(".txt") else "source file"
        parts.append(w[key].format(f=reference.text_file))
    return ". ".join(_capital(p.rstrip(".")) for p in parts) + "."


def as_text(briefing: Briefing, show_iris: bool = False) -> str:
    w = words(briefing.lang)
    head = briefing.label
    if show_iris:
        head += f"  ({shorten(briefing.iri)})"
    lines = [head]
    if briefing.summary:
        lines.append(briefing.summary)
    if briefing.also_known_as:
        lines.append(w["also known as"].format(names=", ".join(briefing.also_known_as)))
    if briefing.as_of:
        lines.append(w["as of"].format(d=briefing.as_of))
    if not briefing.sections:
        lines += ["", w["no facts"]]
    for section in briefing.sections:
        lines += ["", section.title]
        for line in section.lines:
            lines.append("  - " + _line_text(line, briefing.lang))
            for detail in line.details:
                lines.append("      - " + _line_text(detail, briefing.lang))
        if section.note:
            lines.append(f"  ({section.note})")
    if briefing.references:
        lines += ["", w["references"]]
        for reference in briefing.references:
            lines.append(f"  [{reference.number}] {_reference_text(reference, briefing.lang)}")
    return "\n".join(lines) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_")


def as_markdown(briefing: Briefing) -> str:
    w = words(briefing.lang)
    lines = [f"# {_md_escape(briefing.label)}", ""]
    if briefing.summary:
        lines += [f"*{_md_escape(briefing.summary)}*", ""]
    if briefing.as_of:
        lines += [w["as of"].format(d=briefing.as_of), ""]
    if not briefing.sections:
        lines += [w["no facts"], ""]
    for section in briefing.sections:
        lines += [f"## {section.title}", ""]
        for line in section.lines:
            lines.append("- " + _md_escape(_line_text(line, briefing.lang)))
            for detail in line.details:
                lines.append("  - " + _md_escape(_line_text(detail, briefing.lang)))
        if section.note:
            lines += ["", f"*{_md_escape(section.note)}*"]
        lines.append("")
    if briefing.references:
        lines += [f"## {w['references']}", ""]
        for reference in briefing.references:
            lines.append(
                f"{reference.number}. {_md_escape(_reference_text(reference, briefing.lang))}"
            )
        lines.append("")
    return "\n".join(lines)


def as_json(briefing: Briefing) -> str:
    return json.dumps(dataclasses.asdict(briefing), indent=2, ensure_ascii=False) + "\n"


def _html_line(line: Line, lang: str, link: Callable[[str | None], str]) -> str:
    from html import escape

    text = escape(_capital(f"{line.when}: {line.text}" if line.when else line.text))
    if line.quote:
        text += f": <q>{escape(line.quote)}</q>"
        if line.translation:
            text += f" ({escape(words(lang)['translation'])}: <q>{escape(line.translation)}</q>)"
    target = link(line.iri)
    if target:
        text = f'<a href="{escape(target)}">{text}</a>'
    marks = "".join(f'<a class="cite" href="#ref-{n}">[{n}]</a>' for n in line.cites)
    details = ""
    if line.details:
        details = "<ul>" + "".join(_html_line(d, lang, link) for d in line.details) + "</ul>"
    return f"<li>{text} {marks}{details}</li>"


def as_html(briefing: Briefing, link: Callable[[str | None], str] = lambda iri: "") -> str:
    """The briefing as an HTML fragment for the site: sections, citations that jump to
    the reference list; `link(iri)` gives the page of a line's entity, or ""."""
    from html import escape

    w = words(briefing.lang)
    parts = [f"<h1>{escape(briefing.label)}</h1>"]
    if briefing.summary:
        parts.append(f'<p class="note">{escape(briefing.summary)}</p>')
    if briefing.also_known_as:
        names = ", ".join(briefing.also_known_as)
        parts.append(f'<p class="note">{escape(w["also known as"].format(names=names))}</p>')
    if not briefing.sections:
        parts.append(f"<p>{escape(w['no facts'])}</p>")
    for section in briefing.sections:
        key = section.key.replace(" ", "-")
        parts.append(f'<section class="briefing" id="{escape(key)}">')
        parts.append(f"<h2>{escape(section.title)}</h2><ul>")
        parts += [_html_line(line, briefing.lang, link) for line in section.lines]
        parts.append("</ul>")
        if section.note:
            parts.append(f'<p class="note">{escape(section.note)}</p>')
        parts.append("</section>")
    if briefing.references:
        parts.append(f'<section id="references"><h2>{escape(w["references"])}</h2><ol>')
        for reference in briefing.references:
            text = escape(_reference_text(reference, briefing.lang))
            parts.append(f'<li id="ref-{reference.number}">{text}</li>')
        parts.append("</ol></section>")
    return "\n".join(parts)
