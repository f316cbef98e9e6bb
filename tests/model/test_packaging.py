"""The installed package finds its ontology, shapes, data and queries without a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel as pip would and unpack it where no checkout is near."""
    wheel_dir = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheel_dir)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("motorsport_kg-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _run_from(site: Path, *code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", "\n".join(code)],
        cwd=site.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_wheel_carries_every_knowledge_file(unpacked_wheel: Path) -> None:
    bundled = unpacked_wheel / "kg" / "_bundled"
    for folder in ("ontology", "data", "queries"):
        shipped = sorted(p.relative_to(bundled / folder) for p in (bundled / folder).rglob("*"))
        in_checkout = sorted(p.relative_to(ROOT / folder) for p in (ROOT / folder).rglob("*"))
        assert shipped == in_checkout, f"{folder}/ differs between the wheel and the checkout"


def test_installed_package_uses_its_bundled_files(unpacked_wheel: Path) -> None:
    done = _run_from(
        unpacked_wheel,
        "import kg, kg.model.paths as p",
        "assert kg.__file__.startswith(" + repr(str(unpacked_wheel)) + "), kg.__file__",
        "print(p.ontology_dir()); print(p.data_dir()); print(p.queries_dir())",
    )
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert line.startswith(str(unpacked_wheel / "kg" / "_bundled")), line


def test_installed_package_validates_the_bundled_knowledge(unpacked_wheel: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    done = subprocess.run(
        [sys.executable, "-m", "kg", "validate"],
        cwd=unpacked_wheel.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout


def test_installed_package_carries_the_query_page_of_kg_serve(unpacked_wheel: Path) -> None:
    page = ROOT / "kg" / "stores" / "page"
    shipped = unpacked_wheel / "kg" / "stores" / "page"
    assert sorted(p.name for p in shipped.iterdir()) == sorted(p.name for p in page.iterdir())
    done = _run_from(
        unpacked_wheel,
        "from kg.stores.serve_page import QueryPage",
        "page = QueryPage()",
        "for path in ('/', '/page/query.js', '/page/query.css', '/page/icon.svg'):",
        "    print(path, len(page.file_for(path, None).body))",
    )
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == [
        "/", "/page/query.js", "/page/query.css", "/page/icon.svg"
    ]  # fmt: skip
