"""Database backups: SQLite through its online backup API (consistent while the bot runs),
PostgreSQL through pg_dump/pg_restore in their custom format."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def _pg_args(url: URL) -> list[str]:
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    return [*args, "--dbname", url.database or "postgres"]


def _pg_env(url: URL) -> dict[str, str]:
    import os

    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def backup(url: URL, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise BackupError(f"There is no database file at {source}.")
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(target), *_pg_args(url)],
        env=_pg_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")


def restore(url: URL, source: Path) -> None:
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    if shutil.which("pg_restore") is None:
        raise BackupError(
            "pg_restore is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(url), str(source)],
        env=_pg_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
