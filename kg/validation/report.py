"""Validation reports for people (text) and machines (JSON, Turtle). Deterministic."""

from __future__ import annotations

import json
from itertools import groupby

from kg.validation.shacl import ValidationReport, ValidationResult


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: ValidationReport) -> str:
    if report.conforms:
        verdict = "conforms"
    elif report.passes:
        verdict = "no violations, but SHACL says it does not conform (warnings only)"
    else:
        verdict = "does not conform"
    return (
        f"{_plural(report.entities_checked, 'entity')} checked: "
        f"{_plural(report.violations, 'violation')}, {_plural(report.warnings, 'warning')}"
        f" - {verdict}"
    ).replace("entitys", "entities")


def as_text(report: ValidationReport) -> str:
    lines: list[str] = []

    def entity_key(result: ValidationResult) -> tuple[str, str]:
        return (result.source_file or "", result.focus)

    for (source, _focus), group in groupby(report.results, key=entity_key):
        items = list(group)
        first = items[0]
        where = f"  (in {source})" if source else ""
        lines.append(f"{first.focus_label} [{first.focus_type}] {first.focus}{where}")
        for item in items:
            detail = []
            if item.path:
                detail.append(f"property {item.path}")
            if item.value:
                detail.append(f"value {item.value}")
            suffix = f" ({'; '.join(detail)})" if detail else ""
            lines.append(f"  {item.severity}: {item.message}{suffix}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def as_json(report: ValidationReport) -> str:
    payload = {
        "conforms": report.conforms,
        "passes": report.passes,
        "entities_checked": report.entities_checked,
        "violations": report.violations,
        "warnings": report.warnings,
        "results": [
            {
                "focus": r.focus,
                "label": r.focus_label,
                "type": r.focus_type,
                "severity": r.severity,
                "message": r.message,
                "path": r.path,
                "value": r.value,
                "shape": r.shape,
                "file": r.source_file,
            }
            for r in report.results
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def as_turtle(report: ValidationReport) -> str:
    from kg.model.serialize import stable_turtle

    return stable_turtle(report.report_graph)
