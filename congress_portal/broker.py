"""The demo's embedded Celery broker: kombu's filesystem transport, with atomic writes.

    CELERY_BROKER_URL = "congress_portal.broker:Transport://"

Without REDIS_URL, bin/run's worker and every process that queues work (web, shell,
management commands) share a folder under var/broker/. kombu's filesystem transport
creates a message file and only then writes into it, and rewrites an exchange's
routing table in place (truncating it when two processes create it at once): a
reader that comes in between reads an empty or half-written file, and the worker
died with "Unrecoverable error: JSONDecodeError" (issue 12, point 8).

Here every file appears whole or not at all: a message is written to a staging
folder beside the queue and renamed into it (a rename within one filesystem is
atomic), and a routing table is rewritten to a temporary file and renamed over the
old one, under a lock file that serialises the writers. A consumer takes a message
by moving it out of the queue folder (only one consumer can), as before. A file
that cannot be decoded all the same (a disk error) is set aside in
`<processed>/broken/` with a warning instead of stopping the worker.

No new dependency: SQLAlchemy's transport was the alternative, at the price of a
library and a second SQLite file with its own locking.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.transport.virtual import base as virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger("lianxin.broker")


def _write_atomically(path: Path | str, data: bytes, staging: Path | str) -> None:
    """Write `data` to `path` so that no reader ever sees part of it."""
    fd, temporary = tempfile.mkstemp(dir=staging, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


class Channel(filesystem.Channel):
    """Filesystem channel whose message files and routing tables appear atomically."""

    @property
    def _staging_folder(self) -> Path:
        folder = Path(self.data_folder_out).parent / (Path(self.data_folder_out).name + ".staging")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # --- messages

    def _put(self, queue, payload, **kwargs):
        filename = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        try:
            _write_atomically(
                os.path.join(self.data_folder_out, filename),
                str_to_bytes(dumps(payload)),
                self._staging_folder,
            )
        except OSError as exc:
            raise ChannelError(f"Cannot add file {filename!r} to directory") from exc

    def _get(self, queue):
        queue_find = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != queue_find:
                continue
            processed_folder = (
                self.processed_folder if self.store_processed else tempfile.gettempdir()
            )
            taken = os.path.join(processed_folder, f"{filename}.{uuid.uuid4().hex[:8]}")
            try:
                # Only one consumer can move a given file: it is ours now.
                shutil.move(os.path.join(self.data_folder_in, filename), taken)
            except OSError:
                continue  # another consumer took it
            try:
                with open(taken, "rb") as f:
                    payload = f.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
            except (ValueError, UnicodeDecodeError):
                self._set_aside(taken, filename)
                continue
            if not self.store_processed:
                with suppress(OSError):
                    os.remove(taken)
            return message
        raise Empty()

    def _set_aside(self, taken: str, filename: str) -> None:
        broken = Path(self.processed_folder) / "broken"
        broken.mkdir(parents=True, exist_ok=True)
        logger.warning(
            "broker: message file %s could not be read; set aside in %s", filename, broken
        )
        with suppress(OSError):
            shutil.move(taken, broken / filename)

    # --- routing tables (one per exchange, in the control folder)

    @contextmanager
    def _table_lock(self, file: Path):
        with open(file.with_suffix(".lock"), "a+b") as lock_file:
            filesystem.lock(lock_file, filesystem.LOCK_EX)
            try:
                yield
            finally:
                filesystem.unlock(lock_file)

    def _read_table(self, file: Path) -> list:
        try:
            return [filesystem.exchange_queue_t(*q) for q in json.loads(file.read_bytes())]
        except FileNotFoundError:
            return []

    def _write_table(self, file: Path, queues: list) -> None:
        _write_atomically(file, str_to_bytes(dumps(queues)), self.control_folder)

    def get_table(self, exchange):
        file = self._exchange_file(exchange)
        try:
            return self._read_table(file)
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            with self._table_lock(file):
                queues = self._read_table(file)
                if entry not in queues:
                    self._write_table(file, [entry, *queues])
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        file = self._exchange_file(exchange)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        if not file.exists():
            return
        with self._table_lock(file):
            queues = self._read_table(file)
            if entry in queues:
                self._write_table(file, [q for q in queues if q != entry])


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = virtual.BrokerState()
    driver_type = "filesystem"
    driver_name = "lianxin-filesystem"
