"""Kinds of background job, registered by the apps that provide them.

    @job_kind("placards", label=_("批量亮码牌"))
    def build_placards(job: Job, progress: Progress) -> JobOutput:
        ...

An app declares its kinds in `<app>/job_kinds.py`; the jobs app imports those
modules at start-up. A kind function runs in a worker, outside any transaction;
it reads data through `visible_to(job.created_by)` so that a job never shows more
than the person who started it may see, reports progress, and returns the file.
To stop with a message for the user, it raises `JobError` (in Chinese).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise


@dataclass(frozen=True)
class JobOutput:
    filename: str  # what the browser saves it as; may be Chinese
    content: bytes


class JobError(Exception):
    """A failure the user can act on; the message is shown to them as it is."""


@dataclass(frozen=True)
class JobKind:
    name: str
    function: Callable
    label: str | Promise


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, label: str | Promise = ""):
    def register(function: Callable) -> Callable:
        existing = _KINDS.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ImproperlyConfigured(f"job kind {name!r} is registered twice")
        _KINDS[name] = JobKind(name=name, function=function, label=label or name)
        return function

    return register


def get_kind(name: str) -> JobKind:
    """The registered kind; LookupError for an unknown name."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown job kind {name!r}") from None


def kind_names() -> list[str]:
    return sorted(_KINDS)
