"""Programme files: a series and its sessions, as TOML, loaded into storage.

The S4B 2025 programme ships in `programmes/s4b-2025.toml`; an organizer can load another
file of the same format with `bot.py programme load FILE`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.errors import UserError
from s4b_bot.validate import check_horizon
from storage import queries
from storage.models import ProgrammeSession, Series

DEFAULT_PROGRAMME = Path(__file__).parent.parent / "programmes" / "s4b-2025.toml"
INFO_KEYS = (
    "tagline",
    "what_is_a_working_group",
    "about",
    "who_should_join",
    "values_intro",
    "values",
    "contact_name",
    "contact_email",
)


@dataclass(frozen=True)
class SessionSpec:
    season: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None = None


@dataclass(frozen=True)
class ProgrammeSpec:
    key: str
    name: str
    timezone: str
    info: dict[str, Any]
    sessions: tuple[SessionSpec, ...]


def read_programme(path: Path) -> ProgrammeSpec:
    """Parse and check a programme file; every problem is a UserError naming the place."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"Cannot read the programme file {path}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"The programme file {path} is not UTF-8 text.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"The programme file {path} is not valid TOML: {exc}.") from exc
    return parse_programme(data, source=str(path))


def _text(table: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = table.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{where}: `{key}` must be a non-empty text.")
    return value.strip()


def parse_programme(data: dict[str, Any], *, source: str = "programme") -> ProgrammeSpec:
    series = data.get("series")
    if not isinstance(series, dict):
        raise UserError(f"{source}: a [series] table is required.")
    where = f"{source} [series]"
    zone = _text(series, "timezone", where)
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(f"{where}: unknown time zone {zone!r}.") from exc
    info: dict[str, Any] = {}
    for key in INFO_KEYS:
        if key == "values":
            values = series.get("values", [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise UserError(f"{where}: `values` must be a list of texts.")
            info["values"] = [v.strip() for v in values]
        else:
            info[key] = _text(series, key, where, required=False)
    raw_sessions = data.get("sessions")
    if not isinstance(raw_sessions, list) or not raw_sessions:
        raise UserError(f"{source}: at least one [[sessions]] entry is required.")
    sessions = []
    for index, raw in enumerate(raw_sessions, start=1):
        where = f"{source} session {index}"
        if not isinstance(raw, dict):
            raise UserError(f"{where}: each [[sessions]] entry must be a table of fields.")
        start = _local_time(raw.get("start"), tz, where, "start")
        end = _local_time(raw.get("end"), tz, where, "end")
        if end <= start:
            raise UserError(f"{where}: `end` must be after `start`.")
        capacity = raw.get("capacity")
        if capacity is not None and (type(capacity) is not int or capacity < 1):
            raise UserError(f"{where}: `capacity` must be a positive whole number.")
        sessions.append(
            SessionSpec(
                season=_text(raw, "season", where),
                title=_text(raw, "title", where),
                description=_text(raw, "description", where),
                starts_at=start,
                ends_at=end,
                capacity=capacity,
            )
        )
    return ProgrammeSpec(
        key=_text(series, "key", f"{source} [series]"),
        name=_text(series, "name", f"{source} [series]"),
        timezone=zone,
        info=info,
        sessions=tuple(sessions),
    )


def _local_time(value: Any, tz: ZoneInfo, where: str, key: str) -> datetime:
    if isinstance(value, datetime):
        local = value
    elif isinstance(value, str):
        try:
            local = datetime.fromisoformat(value)
        except ValueError as exc:
            raise UserError(f"{where}: `{key}` {value!r} is not a date and time.") from exc
    else:
        raise UserError(f"{where}: `{key}` is required, like 2025-04-29T13:00.")
    if local.tzinfo is None:
        local = local.replace(tzinfo=tz)
    try:
        return local.astimezone(UTC)
    except OverflowError:
        raise UserError(f"{where}: `{key}` {value!r} is too far ahead.") from None


@dataclass(frozen=True)
class LoadReport:
    series: str
    added: int
    updated: int
    moved: int


async def load_programme(
    db: AsyncSession, spec: ProgrammeSpec, *, now: datetime, replace: bool = True
) -> LoadReport:
    """Add or update a series and its sessions (matched by their order in the file).

    With `replace=False` an existing series is left as organizers changed it.
    A session whose time changed is marked rescheduled and its SEQUENCE bumped, so
    calendar invitations follow.
    """
    series = await queries.series_by_key(db, spec.key)
    if series is not None and not replace:
        return LoadReport(spec.key, 0, 0, 0)
    for index, item in enumerate(spec.sessions, start=1):  # before anything is written
        try:
            check_horizon(item.starts_at, now)
        except UserError as exc:
            raise UserError(f"{spec.key} session {index}: {exc}") from None
    if series is None:
        series = Series(key=spec.key, created_at=now, name=spec.name, timezone=spec.timezone)
        series.info = spec.info
        db.add(series)
        await db.flush()
        existing: list[ProgrammeSession] = []
    else:
        series.name, series.timezone, series.info = spec.name, spec.timezone, spec.info
        rows = await db.scalars(
            select(ProgrammeSession)
            .where(ProgrammeSession.series_id == series.id)
            .order_by(ProgrammeSession.number)
        )
        existing = list(rows)
    added = updated = moved = 0
    for index, item in enumerate(spec.sessions):
        row = existing[index] if index < len(existing) else None
        if row is None:
            db.add(
                ProgrammeSession(
                    series_id=series.id,
                    number=await queries.next_session_number(db),
                    season=item.season,
                    title=item.title,
                    description=item.description,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    timezone=spec.timezone,
                    capacity=item.capacity,
                    status="scheduled",
                    sequence=0,
                    updated_at=now,
                )
            )
            added += 1
            continue
        if (row.starts_at, row.ends_at) != (item.starts_at, item.ends_at):
            row.starts_at, row.ends_at = item.starts_at, item.ends_at
            row.status = "rescheduled" if row.status != "cancelled" else row.status
            row.sequence += 1
            moved += 1
        row.season, row.title, row.description = item.season, item.title, item.description
        row.capacity, row.timezone, row.updated_at = item.capacity, spec.timezone, now
        updated += 1
    await db.flush()
    return LoadReport(spec.key, added, updated, moved)
