"""Points follow the suggestion workflow at once, not at the nightly run."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core import clock as portal_clock
from core.outbox import run_pending
from deputies.models import Deputy
from duties.models import DeputyPoints
from duties.services import deputy_points_recompute
from suggestions.models import Suggestion
from tests.suggestions.conftest import intake_data

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _counts(deputy) -> tuple[int, int, int]:
    row = DeputyPoints.objects.get(deputy=deputy, year=portal_clock.today().year)
    kinds = row.breakdown
    return (
        kinds.get("suggestion", {}).get("count", 0),
        kinds.get("answered", {}).get("count", 0),
        row.points,
    )


def test_a_matter_answered_or_merged_later_moves_the_points(client, world, clock):
    clock(datetime.datetime(2026, 6, 20, 10, tzinfo=SHANGHAI))
    # A citizen scans the deputy's code; the nightly run has counted the deputy since.
    for token in ("a", "b"):
        data = intake_data(submission_token="tok_" + token * 28, content=f"第{token}件事反映的问题")
        url = reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])
        assert client.post(url, data).status_code == 302
    first, second = Suggestion.objects.order_by("pk")
    run_pending()
    deputy_points_recompute(deputies=Deputy.objects.filter(pk=world.deputy.pk), year=2026)
    suggested, answered, before = _counts(world.deputy)
    assert (suggested, answered) == (2, 0)

    client.force_login(world.deputy_user)
    response = client.post(
        reverse("suggestions:answer", args=[first.pk]), {"text": "已当场联系村委会解决。"}
    )
    assert response.status_code == 302
    run_pending()  # what the worker does after the commit: no nightly run

    suggested, answered, after = _counts(world.deputy)
    assert (suggested, answered) == (2, 1) and after > before

    client.force_login(world.county_officer)
    response = client.post(
        reverse("suggestions:merge", args=[second.pk]), {"survivor_code": first.display_code}
    )
    assert response.status_code == 302
    run_pending()
    assert _counts(world.deputy)[:2] == (1, 1)


def test_the_ranking_says_when_the_points_were_computed(client, world, clock):
    clock(datetime.datetime(2026, 6, 20, 9, 30, tzinfo=SHANGHAI))
    deputy_points_recompute(deputies=Deputy.objects.all(), year=2026)
    client.force_login(world.county_officer)
    page = client.get(reverse("duties:ranking"), {"year": "2026"}).content.decode()
    assert "积分更新于 2026-06-20 09:30" in page
