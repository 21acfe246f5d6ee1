"""Background work of the calendar: thin adapters queued through the outbox."""

from .deadlines import move_open_deadlines


def move_deadlines(*, years: list[int], region_path: str = "") -> int:
    """After a holiday or make-up day was entered or removed: move the open deadlines."""
    return sum(move_open_deadlines(years=years, region_path=region_path).values())
