"""A job kind that takes a while, for tests that kill the worker running it.

Imported by the test and by the worker process (`celery worker --include`)."""

import time

from jobs.registry import JobOutput, job_kind


@job_kind("test_slow", label="慢速测试任务")
def build_slowly(job, progress) -> JobOutput:
    steps = int(job.params.get("steps", 20))
    pause = float(job.params.get("pause", 0.25))
    progress.start(steps)
    for step in range(1, steps + 1):
        time.sleep(pause)
        progress.update(step)
    return JobOutput(filename="慢速.txt", content=f"steps={steps}".encode())
