"""Backups: the database and every file under MEDIA_ROOT in one dated archive.

    manage.py backup  [--output DIR]                 # lianxin-backup-YYYYMMDD-HHMMSS.tar.gz
    manage.py restore ARCHIVE [--database-url URL] [--media-root DIR]

The archive holds `manifest.json` (when, which database engine, each table's row
count, each file's size and SHA-256), the database (`database.pgdump`, pg_dump's
custom format, on PostgreSQL; `database.sqlite3`, SQLite's online backup, on
SQLite) and the files under `media/`. Uploaded and generated files (deputy photos,
evidence photos, reply attachments, QR codes, job results) live only under
MEDIA_ROOT, so a database dump alone loses them.

Restore goes into an *empty* database and an *empty* (or missing) media folder, and
refuses anything else: it never merges into, or overwrites, live data. Every file's
checksum is verified against the manifest, and the restored tables' row counts
against the counts recorded at backup time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import dj_database_url
from django.conf import settings
from django.db import connections

from core import clock

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    """Why a backup or restore was refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _engine(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine}")


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    return [
        f"--host={settings_dict.get('HOST') or '127.0.0.1'}",
        f"--port={settings_dict.get('PORT') or 5432}",
        f"--username={settings_dict.get('USER') or 'postgres'}",
        f"--dbname={settings_dict['NAME']}",
    ]


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _source_settings() -> dict:
    # pg_dump needs a session of its own: the primary itself, not PgBouncer.
    if settings.DATABASE_DIRECT_URL:
        return dj_database_url.parse(settings.DATABASE_DIRECT_URL)
    return connections["default"].settings_dict


def table_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def backup(output_dir: Path | str) -> Path:
    """Write a dated archive of the database and MEDIA_ROOT into `output_dir`."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    connection = connections["default"]
    engine = _engine(connection.settings_dict)
    name = f"lianxin-backup-{clock.now().astimezone():%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        work = Path(work)
        if engine == "sqlite":
            database = work / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(database)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            database = work / "database.pgdump"
            source = _source_settings()
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={database}",
                    *_pg_args(source),
                ],
                _pg_env(source),
            )
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().isoformat(),
            "engine": engine,
            "database": database.name,
            "tables": table_counts(connection),
            "media": [
                {
                    "path": file.relative_to(media_root).as_posix(),
                    "size": file.stat().st_size,
                    "sha256": sha256_of(file),
                }
                for file in files
            ],
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = work / name
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / MANIFEST, arcname=MANIFEST)
            archive.add(database, arcname=database.name)
            for file in files:
                archive.add(file, arcname=MEDIA_PREFIX + file.relative_to(media_root).as_posix())
        final = output_dir / name
        os.replace(partial, final)  # never a half-written archive under the final name
    return final


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError, TypeError) as error:
        raise BackupError("not a Lianxin backup: manifest.json missing or unreadable") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _safe_media_path(member: tarfile.TarInfo) -> PurePosixPath | None:
    """The member's path under media/, or None if it is not a plain file there."""
    if not member.name.startswith(MEDIA_PREFIX) or not member.isfile():
        return None
    relative = PurePosixPath(member.name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"unsafe path in archive: {member.name}")
    return relative


def _pg_is_empty(settings_dict: dict) -> bool:
    import psycopg

    with psycopg.connect(
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or 5432,
        user=settings_dict.get("USER") or "postgres",
        password=settings_dict.get("PASSWORD") or None,
        dbname=settings_dict["NAME"],
    ) as conn:
        count = conn.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    return count == 0


def restore(
    archive_path: Path | str,
    *,
    database_url: str | None = None,
    media_root: Path | str | None = None,
) -> RestoreResult:
    """Restore an archive into an empty database and an empty media folder."""
    target_db = (
        dj_database_url.parse(database_url)
        if database_url
        else connections["default"].settings_dict
    )
    engine = _engine(target_db)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"the media folder {media_root} is not empty: restore needs an empty one")
    with tarfile.open(archive_path, "r:gz") as archive:
        manifest = _read_manifest(archive)
        if manifest["engine"] != engine:
            raise BackupError(
                f"the backup is of a {manifest['engine']} database, the target is {engine}"
            )
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            dump = work / manifest["database"]
            with archive.extractfile(manifest["database"]) as source, open(dump, "wb") as out:
                shutil.copyfileobj(source, out)
            if engine == "sqlite":
                name = str(target_db["NAME"])
                if name == ":memory:" or "mode=memory" in name:
                    raise BackupError(
                        "cannot restore into an in-memory database: give an empty one"
                    )
                path = Path(name)
                if path.exists() and path.stat().st_size > 0:
                    raise BackupError(f"the database {path} exists: restore needs an empty one")
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(dump, path)
                counts = _sqlite_counts(path)
            else:
                if not _pg_is_empty(target_db):
                    raise BackupError(
                        f"the database {target_db['NAME']} has tables: restore needs an empty one"
                    )
                _run(
                    [
                        "pg_restore",
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        "--single-transaction",
                        *_pg_args(target_db),
                        str(dump),
                    ],
                    _pg_env(target_db),
                )
                counts = _pg_counts(target_db, manifest["tables"])
        if counts != manifest["tables"]:
            differing = sorted(
                t
                for t in set(counts) | set(manifest["tables"])
                if counts.get(t) != manifest["tables"].get(t)
            )
            raise BackupError(f"restored row counts differ from the backup's: {differing[:10]}")
        expected = {entry["path"]: entry["sha256"] for entry in manifest["media"]}
        media_root.mkdir(parents=True, exist_ok=True)
        restored = 0
        for member in archive:
            relative = _safe_media_path(member)
            if relative is None:
                continue
            target = media_root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            if sha256_of(target) != expected.get(relative.as_posix()):
                raise BackupError(f"checksum mismatch for {relative}")
            restored += 1
        if restored != len(expected):
            raise BackupError(
                f"{len(expected) - restored} file(s) listed in the manifest are missing"
            )
    return RestoreResult(tables=len(counts), rows=sum(counts.values()), files=restored)


def _sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names
        }
    finally:
        conn.close()


def _pg_counts(settings_dict: dict, tables) -> dict[str, int]:
    import psycopg

    with psycopg.connect(
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or 5432,
        user=settings_dict.get("USER") or "postgres",
        password=settings_dict.get("PASSWORD") or None,
        dbname=settings_dict["NAME"],
    ) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {
            name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names
        }
