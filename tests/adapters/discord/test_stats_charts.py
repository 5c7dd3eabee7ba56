"""`/s4b-admin stats` on Discord, through the real discord.py against the mock: the charts
travel as multipart attachments, each with its alt text as the attachment's description;
Discord's 1,024-character limit on that description is enforced by the mock and kept by
the adapter."""

from __future__ import annotations

import io

import discord
import pytest

from adapters.discord.client import S4BClient
from adapters.discord.render import to_file
from s4b_bot import Attachment
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import TOKEN, feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.figures.test_charts import decoded

ORGANIZER = {"permissions": payloads.MANAGE_EVENTS, "roles": [payloads.ORGANIZER_ROLE]}


async def test_stats_attach_the_charts_with_their_descriptions(
    bot: S4BClient, mock: MockDiscord
) -> None:
    idea = payloads.command("s4b", "idea", {"text": "Tea after every session ☕"})
    await feed(bot, idea)
    stats = payloads.command("s4b-admin", "stats", user=payloads.JO, **ORGANIZER)
    await feed(bot, stats)
    sent = followups(mock, stats)
    assert "The programme in numbers, with charts:" in visible_text(sent)
    [carrying] = [r for r in sent if r.files]
    assert [f.filename for f in carrying.files] == ["stats-attendance.png", "stats-ideas.png"]
    for part in carrying.files:
        assert decoded(part.data) == (450, 800)
    described = {a["filename"]: a["description"] for a in carrying.body["attachments"]}
    assert described["stats-attendance.png"].startswith(
        "Registrations and attendance per session: "
        "Spring 2025-04-29: 0 confirmed, 0 waitlisted, 0 attended;"
    )
    assert described["stats-ideas.png"].startswith(
        "Ideas and votes over time, 1 idea and 0 votes in all: 2025-04-01"
    )
    assert mock.rejected == []


def test_a_description_is_clipped_to_discords_limit_and_a_file_without_alt_has_none() -> None:
    long = to_file(Attachment("chart.png", b"\x89PNG", "image/png", alt="seven " * 300))
    assert long.description is not None and len(long.description) <= 1_024
    assert long.description.endswith("…")
    assert to_file(Attachment("s.ics", b"BEGIN", "text/calendar")).description is None


async def test_the_mock_refuses_a_description_over_1024_characters(mock: MockDiscord) -> None:
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    channel = client.get_partial_messageable(1100000000000000400)
    try:
        too_long = discord.File(io.BytesIO(b"\x89PNG"), "a.png", description="x" * 1_025)
        with pytest.raises(discord.HTTPException) as caught:
            await channel.send("chart", file=too_long)
        assert (caught.value.status, caught.value.code) == (400, 50035)
        assert "attachments.0.description" in caught.value.text
        fits = discord.File(io.BytesIO(b"\x89PNG"), "a.png", description="x" * 1_024)
        await channel.send("chart", file=fits)
    finally:
        await client.close()
    assert len(mock.rejected) == 1
    mock.rejected.clear()
