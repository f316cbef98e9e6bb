"""The frame every page of the site shares, and its stylesheet."""

from __future__ import annotations

from html import escape

SITE_TITLE = "motorsport-kg"


def page(title: str, body: str, depth: int, failing: bool = False) -> str:
    up = "../" * depth
    state = ' class="failing"' if failing else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}style.css">\n</head>\n'
        f"<body{state}>\n"
        f'<nav class="top"><a href="{up}index.html">{SITE_TITLE}</a>'
        f' <a href="{up}ontology.html">ontology</a>'
        f' <a href="{up}graph.html">graph</a>'
        f' <a href="{up}validation.txt">validation</a></nav>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


STYLE = """\
:root { --fg: #1d232a; --muted: #5b6672; --accent: #0b5cad; --line: #d8dee4; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
nav.top { background: #13293d; padding: 0.6rem 1.5rem; }
nav.top a { color: #fff; margin-right: 1.2rem; text-decoration: none; font-weight: 600; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { margin: 0.8rem 0; } h2 { border-bottom: 2px solid var(--line); padding-bottom: 0.2rem; }
a { color: var(--accent); }
code { font: 0.9em ui-monospace, "DejaVu Sans Mono", monospace; color: #6a3d9a; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th, table.numbers th { background: #eef3f8; }
caption { text-align: left; color: var(--muted); }
.banner { padding: 0.8rem 1rem; margin: 1rem 0; border-radius: 6px; font-weight: 600; }
.banner.passing { background: #e3f6e8; border: 1px solid #2e8b57; color: #14532d; }
.banner.failing { background: #fde8e8; border: 2px solid #c62828; color: #7f1d1d; }
.note, .description, small { color: var(--muted); }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; }
main { overflow-wrap: anywhere; }
table.decisions td:first-child { width: 34%; }
tr.overdue td { background: #fff4e5; }
.overdue-flag { color: #9a3412; }
ol.changes { padding-left: 1.2rem; } ol.changes li { margin: 0.15rem 0; }
table.entities th { width: 14rem; background: #eef3f8; }
nav.toc ol { columns: 2; } nav.toc ol ol { columns: 1; }
section.term { border-top: 1px solid var(--line); padding-top: 0.4rem; }
img.preview { max-width: 100%; border: 1px solid var(--line); }
"""
