"""The layers: the core never imports a platform library or an adapter, and adapters never
reach storage; only bot.py wires them together."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.test_import_cycles import imported_names, module_files

PLATFORM_LIBRARIES = ("discord", "slack_sdk", "slack_bolt", "aiohttp")


def imports_by_module(package: str) -> dict[str, set[str]]:
    files = module_files(package)
    return {name: imported_names(path, set(files)) for name, path in files.items()}


def reaching(package: str, prefixes: tuple[str, ...]) -> set[str]:
    return {
        f"{name} imports {target}"
        for name, targets in imports_by_module(package).items()
        for target in targets
        if target.split(".")[0] in prefixes
    }


@pytest.mark.parametrize("package", ["s4b_bot", "storage"])
def test_the_core_imports_no_platform_library_and_no_adapter(package: str) -> None:
    assert reaching(package, (*PLATFORM_LIBRARIES, "adapters")) == set()


def test_adapters_never_reach_storage() -> None:
    assert reaching("adapters", ("storage",)) == set()


def test_the_layer_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import discord\nfrom storage.models import Account\n")
    assert imported_names(module, set()) == {"discord", "storage.models"}
