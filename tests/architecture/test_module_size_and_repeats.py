"""Modules stay small enough to read at once, and code is not copied: no module is over 400
lines, and no run of ten lines appears twice in the core or the adapters."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.architecture.test_import_cycles import ROOT

MAX_LINES = 400
WINDOW = 10
CODE = [
    path
    for package in ("s4b_bot", "adapters", "storage")
    for path in (ROOT / package).rglob("*.py")
]


def meaningful_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, stripped text) of the lines that say something: not blank, not a lone
    bracket, not an import (imports repeat by nature)."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if (
            text
            and text not in {")", "]", "}", "),", "],", "},", '"""'}
            and not text.startswith(("import ", "from "))
        ):
            found.append((number, text))
    return found


def repeated_runs(paths: list[Path], root: Path = ROOT, window: int = WINDOW) -> list[str]:
    """Each run of `window` meaningful lines found in two places, as "a.py:12 = b.py:40"."""
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in paths:
        lines = meaningful_lines(path)
        for start in range(len(lines) - window + 1):
            run = tuple(text for _, text in lines[start : start + window])
            seen[run].append(f"{path.relative_to(root)}:{lines[start][0]}")
    return sorted(" = ".join(places) for places in seen.values() if len(places) > 1)


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{lines} lines: split it by concept"


def test_no_ten_lines_are_repeated_in_the_core_or_the_adapters() -> None:
    assert repeated_runs(CODE) == []


def test_the_repeat_finder_finds_a_copied_block(tmp_path: Path) -> None:
    block = "".join(f"value_{i} = compute({i})\n" for i in range(WINDOW))
    (tmp_path / "a.py").write_text("def f():\n" + block)
    (tmp_path / "b.py").write_text("x = 1\n" + block + "y = 2\n")
    (tmp_path / "c.py").write_text(block[: block.rindex("value_")])  # nine lines: fine
    assert repeated_runs(sorted(tmp_path.glob("*.py")), tmp_path) == ["a.py:2 = b.py:2"]
