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


DATA_ENV = "KG_DATA"


def default_data() -> list[Path]:
    """What commands load when no --data is given: KG_DATA, else the bundled data/.

    KG_DATA lists folders or files separated by the system's path separator (":" on
    Linux), like PATH: `KG_DATA=data/entities.ttl:data/articles kg show BMW`.
    """
    import os

    listed = os.environ.get(DATA_ENV, "")
    chosen = [Path(item) for item in listed.split(os.pathsep) if item.strip()]
    return chosen or [data_dir()]


def queries_dir() -> Path:
    return _bundled("queries")


def project_root() -> Path:
    """The folder that holds ontology/, data/ and queries/ (graph names are relative to it)."""
    return ontology_dir().parent
