"""Plain functions the outbox runs in broker tests (the worker imports them by path)."""


def noop() -> None:
    """Work that only has to happen: the outbox row records that it did."""


def fail() -> None:
    """Work that fails every time."""
    raise RuntimeError("the work fails")
