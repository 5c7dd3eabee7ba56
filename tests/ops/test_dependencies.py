"""Dependencies: every one pyproject.toml names is pinned, with hashes, in the lock files the
Makefile and the Docker image install from, and no floor admits a version with a published
advisory (the table below: add a row whenever one is published)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]

ADVISORY_FIXES = {
    # package: (first fixed version, the latest advisory it fixes)
    "aiohttp": ("3.14.4", "PYSEC-2026-4369, -4370, -4371; earlier CVE-2025-53643 (3.12.14)"),
    "icalendar": ("7.2.1", "GHSA-qjcq-q7h7-r74v"),
    "pytest": ("9.0.3", "CVE-2025-71176"),
}


def pins(lock: str) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, how many hashes) of a `uv pip compile --generate-hashes` file."""
    found: dict[str, tuple[Version, int]] = {}
    text = (ROOT / lock).read_text(encoding="utf-8")
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            name = canonicalize_name(match[1])
            found[name] = (Version(match[2]), block.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME + DEV)],
)
def test_the_lock_pins_every_dependency_with_hashes(
    lock: str, requirements: list[Requirement]
) -> None:
    pinned = pins(lock)
    assert pinned and all(hashes > 0 for _, hashes in pinned.values()), lock
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock} does not pin {requirement.name}"
        assert requirement.specifier.contains(pinned[name][0]), (lock, str(requirement))


def test_the_runtime_lock_agrees_with_the_dev_lock() -> None:
    dev = pins("requirements-dev.lock")
    for name, (version, _) in pins("requirements.lock").items():
        assert dev[name][0] == version, name


@pytest.mark.parametrize("package", sorted(ADVISORY_FIXES))
def test_no_floor_admits_a_version_with_an_advisory(package: str) -> None:
    fixed, advisory = ADVISORY_FIXES[package]
    [requirement] = [r for r in RUNTIME + DEV if canonicalize_name(r.name) == package]
    floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    assert floors and min(floors) >= Version(fixed), f"{requirement} admits {advisory}"
    assert pins("requirements-dev.lock")[package][0] >= Version(fixed)


def test_make_and_the_image_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(STAMP): pyproject.toml $(LOCK)" in makefile
    assert "--require-hashes -r $(LOCK)" in makefile and "--no-deps -e ." in makefile
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in dockerfile
