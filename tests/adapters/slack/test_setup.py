"""The manifest, the settings and the README agree with each other and with the catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.config import SlackConfig
from s4b_bot.routing.routes import ROUTES

FOLDER = Path(__file__).parents[3] / "adapters" / "slack"
SETUP = (FOLDER.parents[1] / "README.md").read_text(encoding="utf-8")


def manifest(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FOLDER / name).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", ["manifest.json", "manifest.http.json"])
def test_the_manifest_declares_what_the_adapter_listens_to(name: str) -> None:
    app = manifest(name)
    commands = [c["command"] for c in app["features"]["slash_commands"]]
    assert commands == [f"/{root}" for root in ("s4b", "s4b-admin")]
    assert {c.root for c in ROUTES.commands} == {c.lstrip("/") for c in commands}
    assert app["features"]["app_home"]["home_tab_enabled"] is True
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert app["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert len(app["display_information"]["description"]) <= 140
    assert 175 <= len(app["display_information"]["long_description"]) <= 4_000


def test_http_mode_differs_only_in_its_urls() -> None:
    socket, http = manifest("manifest.json"), manifest("manifest.http.json")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    urls = {c["url"] for c in http["features"]["slash_commands"]}
    urls |= {http["settings"][k]["request_url"] for k in ("interactivity", "event_subscriptions")}
    assert urls == {"https://s4b.example.org/slack/events"}
    assert socket["oauth_config"] == http["oauth_config"]


def test_every_scope_is_justified_in_the_setup_text() -> None:
    scopes = manifest("manifest.json")["oauth_config"]["scopes"]["bot"]
    table = dict(re.findall(r"^\| `([a-z:.]+)` \| (.+) \|$", SETUP, flags=re.MULTILINE))
    assert set(scopes) == set(table) and all(len(why) > 20 for why in table.values())


def test_every_setting_is_documented() -> None:
    for name in SlackConfig.model_fields:
        assert f"SLACK_{name.upper()}" in SETUP, name


def test_settings_come_from_the_environment_and_hide_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-secret-2")
    monkeypatch.setenv("SLACK_ORGANIZER_IDS", " U1, U2 ,,")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    config = SlackConfig(_env_file=None)  # type: ignore[call-arg]
    assert config.organizer_ids == frozenset({"U1", "U2"})
    assert config.api_url == "http://127.0.0.1:9/api/"
    assert config.enabled and config.resolved_mode == "socket"
    shown = repr(config) + str(config) + config.model_dump_json()
    assert "secret-1" not in shown and "secret-2" not in shown
    assert config.secret("bot_token") == "xoxb-secret-1"
    assert config.channel_for("announcements") is None and config.channel_for("nope") is None

    monkeypatch.delenv("SLACK_APP_TOKEN")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert SlackConfig(_env_file=None).resolved_mode is None  # type: ignore[call-arg]
    monkeypatch.setenv("SLACK_HTTP_PORT", "3000")
    assert SlackConfig(_env_file=None).resolved_mode == "http"  # type: ignore[call-arg]
