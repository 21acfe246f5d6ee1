"""Periodic work of appointments, started by beat (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from core import clock


@shared_task(name="appointments.tasks.remind_bookings")
def remind_bookings() -> int:
    """Text the citizens whose confirmed appointment is tomorrow (once each)."""
    from .services import booking_remind_tomorrow

    return booking_remind_tomorrow()


@shared_task(name="appointments.tasks.close_polls")
def close_polls() -> int:
    """Count the report-back polls whose hour is over."""
    from .services import report_back_close_expired

    return report_back_close_expired()


@shared_task(name="appointments.tasks.flag_quiet_groups")
def flag_quiet_groups() -> int:
    """After a quarter ends, tell each township about its groups that held no activity."""
    from .selectors import previous_quarter
    from .services import flag_quiet_groups as flag

    year, quarter = previous_quarter(clock.today())
    return flag(year=year, quarter=quarter)
