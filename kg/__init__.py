"""motorsport-kg: a knowledge graph of motorsport programmes and the decisions behind them."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Read lazily: importlib.metadata costs tens of milliseconds on every start.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("motorsport-kg")
        except PackageNotFoundError:  # a checkout that was never installed
            return "0.0.0+unknown"
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
