"""Backup and restore cover the database and the files (issue 12, point 4): after a
round trip into an empty database and an empty folder, every row and every file's
checksum is equal.

Runs on SQLite (the test database) and, with DATABASE_URL=postgres://..., on
PostgreSQL (pg_dump / pg_restore into a database of the test's own).
"""

import sqlite3
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from core.backup import sha256_of
from jobs.registry import JobOutput, job_kind
from jobs.services import job_start
from tests.suggestions.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)


@job_kind("test_backup", label="备份测试任务")
def _never_run(job, progress):
    return JobOutput(filename="x.txt", content=b"x")


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


def _pg_kwargs(name: str) -> dict:
    s = connection.settings_dict
    return {
        "host": s["HOST"] or "127.0.0.1",
        "port": s["PORT"] or 5432,
        "user": s["USER"] or "postgres",
        "password": s["PASSWORD"] or None,
        "dbname": name,
    }


def _rows_here() -> dict[str, list]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        rows = {}
        for name in names:
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT row_to_json(t)::text FROM "{name}" t')
            else:
                cursor.execute(f'SELECT * FROM "{name}"')
            rows[name] = sorted(map(repr, cursor.fetchall()))
    return rows


def _rows_in_sqlite(path: Path) -> dict[str, list]:
    # The same converters as Django's connection (registered process-wide by Django).
    conn = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names
        }
    finally:
        conn.close()


def _rows_in_pg(name: str) -> dict[str, list]:
    with psycopg.connect(**_pg_kwargs(name)) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema='public' AND table_type='BASE TABLE'"
            )
        ]
        return {
            n: sorted(
                map(repr, conn.execute(f'SELECT row_to_json(t)::text FROM "{n}" t').fetchall())
            )
            for n in names
        }


@pytest.fixture
def target_database(tmp_path):
    """An empty database to restore into: (url, reader of its rows)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: _rows_in_sqlite(path)
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = _pg_kwargs("postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    k = _pg_kwargs(name)
    auth = k["user"] + (f":{k['password']}" if k["password"] else "")
    yield f"postgres://{auth}@{k['host']}:{k['port']}/{name}", lambda: _rows_in_pg(name)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_backup_and_restore_round_trip_every_row_and_file(
    world, settings, tmp_path, target_database
):
    # Given data in the database and files under MEDIA_ROOT: a deputy's photo, a job's
    # result, a file in a nested folder with a Chinese name
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    world.deputy.photo.save("mazhigang.jpg", ContentFile(jpeg_with_gps()), save=True)
    job = job_start(actor=world.county_officer, kind="test_backup", region=world.county, params={})
    job.result.save("job-result.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"))
    (media / "evidence" / "2026" / "12").mkdir(parents=True)
    (media / "evidence" / "2026" / "12" / "现场照片.jpg").write_bytes(jpeg_with_gps())
    before_files = _files(media)
    before_rows = _rows_here()
    assert len(before_files) == 3 and sum(map(len, before_rows.values())) > 50

    # When it is backed up
    archive = Path(call_command_output("backup", "--output", str(tmp_path / "backups")))

    # Then one dated archive holds the database, the manifest and the files
    assert archive.name.startswith("lianxin-backup-") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names
    assert {"database.sqlite3", "database.pgdump"} & names
    assert {f"media/{path}" for path in before_files} <= names

    # When it is restored into an empty database and an empty folder
    url, rows_restored = target_database
    restored_media = tmp_path / "restored-media"
    call_command(
        "restore", str(archive), "--database-url", url, "--media-root", str(restored_media)
    )

    # Then every row and every file's checksum is equal
    assert _files(restored_media) == before_files
    assert rows_restored() == before_rows


def test_restore_refuses_a_folder_or_database_that_is_not_empty(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = call_command_output("backup", "--output", str(tmp_path / "backups"))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("live data")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", archive, "--media-root", str(busy))
    assert (busy / "keep.txt").read_text() == "live data"
    # The configured (live) database is never empty here
    with pytest.raises(CommandError, match="empty"):
        call_command("restore", archive, "--media-root", str(tmp_path / "fresh"))


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()
