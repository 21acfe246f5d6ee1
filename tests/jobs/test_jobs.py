import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from core.outbox import run_pending
from deputies.models import Deputy, StationMembership
from jobs import runner
from jobs.models import Job
from jobs.registry import JobError, JobOutput, job_kind
from jobs.services import job_start
from tenancy.scope import scope_of
from tests import factories as f
from tests.public.helpers import decode_qr, pdf_pages


@job_kind("test_counting", label="测试任务")
def _counting(job, progress):
    total = job.params.get("total", 3)
    progress.start(total)
    for done in range(1, total + 1):
        progress.update(done)
    return JobOutput(filename="测试结果.txt", content=b"ok")


@job_kind("test_refusing")
def _refusing(job, progress):
    raise JobError("所选范围内没有在任代表。")


@job_kind("test_crashing")
def _crashing(job, progress):
    raise RuntimeError("disk on fire")


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run queued outbox work as the worker would: jobs execute after the commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return run_pending()

    return run


@pytest.fixture
def grouped_deputies(world):
    for deputy in (world.deputy, world.other_deputy):
        deputy.commitment = "倾听群众呼声，件件有回音。"
        deputy.save()
        StationMembership.objects.create(
            deputy=deputy, station=world.station, start_date=datetime.date(2024, 1, 1)
        )
    return [world.deputy, world.other_deputy]


def test_batch_placards_through_http_from_start_to_download(
    client, world, grouped_deputies, run_jobs
):
    # Given a county officer who asks for the placards of one station
    client.force_login(world.county_officer)
    response = client.post(
        reverse("placards:batch"), {"source": "station", "station": world.station.pk}
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    queued = client.get(response["Location"]).content.decode()
    assert "排队中" in queued
    assert 'hx-trigger="every 2s"' in queued

    # When the worker runs it
    assert run_jobs() == 1

    # Then the progress page says done, stops polling and offers the file
    progress = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "已完成" in progress
    assert "hx-trigger" not in progress
    assert reverse("jobs:download", args=[job.pk]) in progress
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    pdf = b"".join(download.streaming_content)
    pages = pdf_pages(pdf, scale=1.5)
    assert len(pages) == 2  # 马志刚 and 王秀英, one page each
    urls = {url for page in pages for url in decode_qr(page)}
    assert urls == {
        f"https://lianxin.example.gov.cn/p/d/{deputy.public_token}/" for deputy in grouped_deputies
    }
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (Job.Status.DONE, 2, 2)
    assert AuditRecord.objects.filter(action="export", object_id=str(job.pk)).count() == 1


def test_a_station_officer_batches_their_own_stations_placards(client, world, grouped_deputies):
    """They keep the station, not its region: the job is started over the station."""
    client.force_login(world.station_officer)
    response = client.post(
        reverse("placards:batch"), {"source": "station", "station": world.station.pk}
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert client.get(response["Location"]).status_code == 200
    neighbour = client.post(
        reverse("placards:batch"), {"source": "station", "station": world.neighbour_station.pk}
    )
    assert neighbour.status_code == 200 and "选择一个有效的选项" in neighbour.content.decode()
    assert Job.objects.count() == 1


@pytest.mark.parametrize("other", ["city_officer", "township_officer", "outsider"])
def test_a_job_and_its_file_belong_to_its_creator_alone(
    client, world, grouped_deputies, run_jobs, other
):
    job = job_start(
        actor=world.county_officer,
        kind="placards",
        region=world.township,
        params={"station_id": world.station.pk},
    )
    run_jobs()
    client.force_login(getattr(world, other))

    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert job.title not in client.get(reverse("jobs:list")).content.decode()


def test_superuser_sees_every_job(world):
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    admin = f.UserFactory(username="root", is_superuser=True)

    assert list(Job.objects.visible_to(admin)) == [job]
    assert list(Job.objects.visible_to(world.city_officer)) == []


def test_owning_a_job_does_not_make_a_leader_a_writer(client, world):
    job_start(actor=world.leader, kind="test_counting", region=world.county, params={})

    assert not scope_of(world.leader).write
    assert Job.objects.visible_to(world.leader).count() == 1
    client.force_login(world.leader)
    assert "您的角色为只读" in client.get(reverse("accounts:home")).content.decode()


def test_job_start_queues_one_outbox_message_in_the_same_transaction(world):
    from core.models import OutboxMessage

    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )

    message = OutboxMessage.objects.get()
    assert message.task == "jobs.runner.run_job"
    assert message.kwargs == {"job_id": job.pk}
    assert job.status == Job.Status.QUEUED
    assert AuditRecord.objects.filter(action="create", object_id=str(job.pk)).exists()


def test_a_job_over_a_neighbours_region_or_station_is_a_404_and_nothing_is_queued(world):
    """job_start checks the row it works on itself, whatever its caller checked."""
    from django.http import Http404

    from core.models import OutboxMessage

    with pytest.raises(Http404):
        job_start(actor=world.outsider, kind="test_counting", region=world.county, params={})
    with pytest.raises(Http404):  # a station its officer does not keep
        job_start(
            actor=world.station_officer,
            kind="test_counting",
            region=world.neighbour_township,
            over=world.neighbour_station,
            params={},
        )
    assert not Job.objects.exists() and not OutboxMessage.objects.exists()
    # their own: queued
    job_start(actor=world.outsider, kind="test_counting", region=world.neighbour, params={})
    job_start(
        actor=world.station_officer,
        kind="test_counting",
        region=world.station.region,
        over=world.station,
        params={},
    )
    assert Job.objects.count() == 2


def test_unknown_kind_is_refused(world):
    with pytest.raises(LookupError):
        job_start(actor=world.county_officer, kind="no_such_kind", region=world.county, params={})
    assert not Job.objects.exists()


def test_a_job_delivered_twice_runs_once(world, run_jobs, monkeypatch):
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    run_jobs()
    first = Job.objects.get(pk=job.pk)
    calls = []
    monkeypatch.setattr(runner, "get_kind", lambda name: calls.append(name))

    runner.execute(job.pk)

    assert calls == []
    assert Job.objects.get(pk=job.pk).finished_at == first.finished_at


def test_refusal_is_shown_to_the_user_as_written(client, world, run_jobs):
    job = job_start(
        actor=world.county_officer, kind="test_refusing", region=world.county, params={}
    )
    run_jobs()
    client.force_login(world.county_officer)

    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert "失败" in html
    assert "所选范围内没有在任代表。" in html
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_crash_shows_a_plain_chinese_message_not_the_error(client, world, run_jobs):
    job = job_start(
        actor=world.county_officer, kind="test_crashing", region=world.county, params={}
    )
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "任务执行出错" in job.error
    assert "disk on fire" not in job.error
    assert AuditRecord.objects.filter(object_id=str(job.pk), succeeded=False).exists()


def test_progress_is_written_in_batches(world):
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    job.status = Job.Status.RUNNING
    job.save(update_fields=["status"])
    progress = runner.Progress(job, interval=3600)

    progress.start(10)
    for done in range(1, 10):
        progress.update(done)
    stored = Job.objects.get(pk=job.pk)
    assert (stored.progress_done, stored.progress_total) == (0, 10)  # throttled
    progress.update(10)
    assert Job.objects.get(pk=job.pk).progress_done == 10  # the last step always lands


def test_running_page_shows_the_share_done(client, world):
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress_done=3, progress_total=12
    )
    client.force_login(world.county_officer)

    html = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()

    assert 'value="25"' in html
    assert "已完成 3 / 12" in html
    assert 'hx-trigger="every 2s"' in html


def test_a_job_whose_worker_went_silent_is_queued_again_by_the_sweep_and_completes(
    client, world, settings, run_jobs
):
    settings.JOB_STALE_SECONDS = 120
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    # A worker claimed it, then died: its heartbeat stopped 10 minutes ago
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=1,
        progress_done=2,
        progress_total=3,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    from core.models import OutboxMessage

    OutboxMessage.objects.update(done_at=timezone.now())  # its message was acknowledged
    client.force_login(world.county_officer)

    # Opening the page changes nothing: staleness is the sweep's business
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "任务执行中断" not in html
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING

    # The sweep (beat, every JOB_SWEEP_SECONDS) queues it again; a worker completes it
    from jobs.tasks import requeue_stale_jobs

    assert requeue_stale_jobs() == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert requeue_stale_jobs() == 0
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result.read()) == (Job.Status.DONE, 2, b"ok")
    assert "jobs-requeue-stale" in settings.CELERY_BEAT_SCHEDULE


def test_a_job_whose_worker_keeps_dying_fails_after_the_last_attempt(client, world, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=3,
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )
    from jobs.tasks import requeue_stale_jobs

    assert requeue_stale_jobs() == 0
    client.force_login(world.county_officer)
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "任务执行中断" in html
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED


def test_a_superseded_run_cannot_overwrite_the_job(world):
    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    from jobs.services import job_claim, job_complete

    first = job_claim(job_id=job.pk)
    # The sweep gave up on the first run and a second one claimed the job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    second = job_claim(job_id=job.pk)
    assert (first.attempts, second.attempts) == (1, 2)

    assert job_complete(job=first, output=JobOutput(filename="旧.txt", content=b"old")) is False
    assert job_complete(job=second, output=JobOutput(filename="新.txt", content=b"new")) is True
    assert Job.objects.get(pk=job.pk).result_name == "新.txt"


def test_job_list_shows_own_jobs_in_few_queries(client, world, django_assert_max_num_queries):
    def start(n):
        for _ in range(n):
            job_start(
                actor=world.county_officer, kind="test_counting", region=world.county, params={}
            )

    client.force_login(world.county_officer)
    start(3)
    client.get(reverse("jobs:list"))  # the session's one-off costs
    with django_assert_max_num_queries(12) as small:
        response = client.get(reverse("jobs:list"))
    assert response.content.decode().count("测试任务") == 3

    start(22)  # measured again at 25 jobs: the same count or fewer
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("jobs:list"))

    assert response.status_code == 200
    assert response.content.decode().count("测试任务") == 20  # first page


def test_batch_form_offers_only_stations_and_regions_in_scope(client, world):
    client.force_login(world.township_officer)

    form = client.get(reverse("placards:batch")).context["form"]

    assert set(form.fields["station"].queryset) == {world.station, world.point}
    assert world.county not in form.fields["region"].queryset
    assert world.village not in form.fields["region"].queryset  # villages: too fine


def test_batch_for_a_foreign_station_is_refused(client, world):
    client.force_login(world.outsider)

    response = client.post(
        reverse("placards:batch"), {"source": "station", "station": world.station.pk}
    )

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Job.objects.exists()


def test_batch_for_a_region_with_no_deputies_says_so(client, world):
    Deputy.objects.filter(region=world.other_township).delete()
    client.force_login(world.county_officer)

    response = client.post(
        reverse("placards:batch"), {"source": "region", "region": world.other_township.pk}
    )

    assert "所选范围内没有在任代表" in response.content.decode()
    assert not Job.objects.exists()


def test_batch_by_region_prints_every_active_deputy_under_it(client, world, run_jobs):
    world.other_deputy.status = Deputy.Status.TERMINATED
    world.other_deputy.save(update_fields=["status"])
    client.force_login(world.county_officer)

    client.post(reverse("placards:batch"), {"source": "region", "region": world.county.pk})
    run_jobs()

    job = Job.objects.get()
    assert job.status == Job.Status.DONE
    assert job.progress_total == 1  # 马志刚; 王秀英 left office; 文水代表 is next door
    assert job.region == world.county


def test_batch_follows_the_creators_scope_when_it_runs(world, grouped_deputies, run_jobs):
    job = job_start(
        actor=world.outsider,
        kind="placards",
        region=world.neighbour,
        params={"station_id": world.station.pk},  # forged: not the outsider's station
    )
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "不在您的管辖范围内" in job.error


def test_old_result_files_are_deleted_and_the_page_says_so(client, world, run_jobs, settings):
    from jobs.tasks import job_results_prune

    job = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    run_jobs()
    job.refresh_from_db()
    path = job.result.path
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.JOB_RESULT_RETENTION_DAYS + 1)
    )
    fresh = job_start(
        actor=world.county_officer, kind="test_counting", region=world.county, params={}
    )
    run_jobs()

    assert job_results_prune() == 1

    assert not Path(path).exists()
    assert Job.objects.get(pk=fresh.pk).result
    client.force_login(world.county_officer)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert "已清理" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert client.get(reverse("jobs:download", args=[fresh.pk])).status_code == 200
