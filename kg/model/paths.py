"""Where the bundled ontology, data and queries live: a checkout, or the installed package."""

from __future__ import annotations

from pathlib import Path

# kg/model/paths.py: the package folder kg/ is two levels up.
_PACKAGE = Path(__file__).resolve().parent.parent


def _bundled(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    # A checkout (or an editable install) has the folder beside kg/; a wheel carries it inside.
    if checkout.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return checkout
    return _PACKAGE / "_bundled" / name


def ontology_dir() -> Path:
    return _bundled("ontology")


def data_dir() -> Path:
    return _bundled("data")


def queries_dir() -> Path:
    return _bundled("queries")


def project_root() -> Path:
    """The folder that holds ontology/, data/ and queries/ (graph names are relative to it)."""
    return ontology_dir().parent
