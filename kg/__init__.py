"""motorsport-kg: a knowledge graph of motorsport programmes and the decisions behind them."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("motorsport-kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"
