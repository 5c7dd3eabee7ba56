"""`s4b_bot/__init__.py` names the core's public surface, and adapters and bot.py use the
core through it alone: a change to the surface is a change to this pinned list."""

from __future__ import annotations

import ast

import s4b_bot
from tests.architecture.test_import_cycles import ROOT

PUBLIC = {
    "ACTION_PATTERN", "ACTION_PREFIX", "DEFAULT_PROGRAMME", "MEMBER_ROOT", "METRICS_REGISTRY",
    "ORGANIZER_ROOT", "Actor", "Attachment", "Button", "Card", "Choice", "Clock",
    "CommandRoute", "Core", "Dispatcher", "Field", "Form", "FormField", "FormSubmission",
    "FormValue", "Invocation", "Localised", "Message", "ModerationAction", "Moment", "Option",
    "Outcome", "PermanentFailure", "Platform", "Recipient", "RetryLater", "RouteTable",
    "RunningClock", "SessionEvent", "SessionThread", "SettableClock", "Settings", "Span",
    "SystemClock", "Text", "TokenBucket", "UserError", "ChatMessage", "MessageRoute",
    "apply_retention", "as_utc", "clip", "files_caption",
    "format_moment", "format_span", "format_stamp", "load_programme", "logs", "not_a_choice",
    "plain_span", "read_programme", "split_text", "went_wrong", "zone_names",
}  # fmt: skip


def test_the_public_surface_is_the_pinned_one() -> None:
    assert set(s4b_bot.__all__) == PUBLIC
    assert len(s4b_bot.__all__) == len(PUBLIC)


def test_every_public_name_is_there() -> None:
    assert [name for name in s4b_bot.__all__ if not hasattr(s4b_bot, name)] == []


def core_imports_outside_the_surface(source: str) -> list[str]:
    """Each `s4b_bot.<module>` a file imports: the surface is `s4b_bot` itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("s4b_bot."):
            found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("s4b_bot.")]
    return found


def test_adapters_and_bot_py_use_the_core_through_its_public_surface() -> None:
    files = [*sorted((ROOT / "adapters").rglob("*.py")), ROOT / "bot.py"]
    reaching = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := core_imports_outside_the_surface(path.read_text(encoding="utf-8")))
    }
    assert reaching == {}


def test_the_check_sees_an_import_past_the_surface() -> None:
    source = "from s4b_bot import Core\nfrom s4b_bot.outbox import planning\nimport s4b_bot.words\n"
    assert core_imports_outside_the_surface(source) == [
        "from s4b_bot.outbox import …",
        "import s4b_bot.words",
    ]
