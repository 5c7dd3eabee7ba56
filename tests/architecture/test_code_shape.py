"""Code shape: every module opens with a docstring stating its job, and no module reaches into
another's private names (`from x import _name`, or `x._name` on an imported module)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("s4b_bot", "adapters", "storage")
SHORTEST_JOB = 20
"""A first line shorter than this ("Helpers.", "platform refs") names no job."""


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def first_line(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def is_module(dotted_name: str) -> bool:
    """A private *module* (`_pacing.py`) is its package's helper: importing it is fine."""
    path = ROOT.joinpath(*dotted_name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def private_reaches(source: str, package: str) -> list[str]:
    """Each place `source` (a module of `package`) uses another module's private name, as
    "line: what"."""
    module = ast.parse(source)
    found: list[str] = []
    imported_modules: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom):
            origin = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")
                origin = ".".join([*base[: len(base) - node.level + 1], origin]).strip(".")
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and not is_module(f"{origin}.{alias.name}"):
                    found.append(f"{node.lineno}: from {origin} import {alias.name}")
                else:
                    imported_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in imported_modules
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_scan_sees_both_kinds_of_reach() -> None:
    """The checker itself: both shapes are caught; public names and dunders are not."""
    sample = (
        "from s4b_bot.conversation.ideas import _secret, IDEAS\n"
        "from s4b_bot import __version__\n"
        "from s4b_bot.conversation import ideas\n"
        "from .ideas import _relative\n"
        "ideas._other(1)\n"
        "ideas.redraw\n"
    )
    assert private_reaches(sample, "s4b_bot.conversation") == [
        "1: from s4b_bot.conversation.ideas import _secret",
        "4: from s4b_bot.conversation.ideas import _relative",
        "5: ideas._other",
    ]


@pytest.mark.parametrize("path", modules(), ids=name)
def test_no_module_imports_another_modules_private_names(path: Path) -> None:
    package = dotted(path) if path.name == "__init__.py" else dotted(path).rpartition(".")[0]
    assert private_reaches(path.read_text(encoding="utf-8"), package) == [], (
        f"{name(path)} uses private names of other modules; give them a public name where "
        "they belong"
    )


@pytest.mark.parametrize("path", modules(), ids=name)
def test_every_module_starts_by_stating_its_job(path: Path) -> None:
    line = first_line(path)
    assert len(line) >= SHORTEST_JOB, (
        f"{name(path)} opens with {line!r}: its first line should say what the module is for"
    )
