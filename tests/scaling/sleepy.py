"""A Celery task that sleeps, for tests that stop or kill the worker running it."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.scaling.sleepy.sleep", ignore_result=True)
def sleep(marker: str, seconds: float) -> None:
    Path(marker).write_text(str(os.getpid()))
    time.sleep(seconds)
