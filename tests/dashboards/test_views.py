"""The dashboard pages: who sees which region, drill-down, links, period filter."""

import datetime
import json
import re

from django.urls import reverse
from django.utils import timezone

from dashboards.rollups import rollup_refresh
from suggestions.models import Suggestion

from .conftest import at, reception, suggestion


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def region_url(region):
    return reverse("dashboards:region", kwargs={"region_code": region.code})


def charts(response) -> dict:
    match = re.search(
        r'<script id="dashboard-charts" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the chart data is embedded in the page"
    return json.loads(match.group(1))


def test_leader_opens_their_county_and_sees_its_figures(client, recent):
    response = page(client, recent.leader, reverse("dashboards:index"))
    assert response.status_code == 302
    assert response["Location"] == region_url(recent.county)
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert response.context["dash"].totals["people"] == 6
    assert response.context["dash"].totals["received"] == 1  # the neighbour's is not ours
    data = charts(response)
    assert sum(data["trend"]["series"][1]["data"]) == 6
    assert data["categories"]["codes"] == ["water"]


def test_leader_drills_down_to_a_township_and_a_station(client, recent):
    response = page(client, recent.leader, region_url(recent.county))
    drill = region_url(recent.township)
    assert drill in response.content.decode()
    response = client.get(drill, {"period": "year"})
    assert response.status_code == 200
    station_url = reverse("dashboards:station", kwargs={"station_pk": recent.station.pk})
    assert station_url in response.content.decode()
    response = client.get(station_url)
    assert response.status_code == 200
    assert response.context["dash"].totals["duty_visits"] == 1


def test_leader_cannot_drill_above_or_beside_their_county(client, recent):
    client.force_login(recent.leader)
    assert client.get(region_url(recent.city)).status_code == 404
    assert client.get(region_url(recent.neighbour)).status_code == 404
    assert client.get(region_url(recent.neighbour_township)).status_code == 404
    station = reverse("dashboards:station", kwargs={"station_pk": recent.neighbour_station.pk})
    assert client.get(station).status_code == 404


def test_city_officer_sees_both_counties_in_the_ranking(client, recent):
    response = page(client, recent.city_officer, region_url(recent.city))
    names = [row.name for row, _url in response.context["ranked"]]
    assert names == ["文水县", "交城县"]  # by code
    assert response.context["dash"].totals["received"] == 2


def test_ranking_sorts_by_a_column(client, recent):
    response = page(client, recent.city_officer, region_url(recent.city), sort="people")
    assert [row.name for row, _url in response.context["ranked"]][0] == "交城县"


def test_roles_without_a_region_get_no_dashboard(client, recent):
    client.force_login(recent.clerk)
    assert client.get(region_url(recent.county)).status_code == 404
    assert client.get(reverse("dashboards:index")).status_code == 403
    client.force_login(recent.deputy_user)
    assert client.get(region_url(recent.township)).status_code == 404


def test_post_is_refused(client, recent):
    client.force_login(recent.leader)
    assert client.post(region_url(recent.county)).status_code == 405


def test_period_filter_picks_month_quarter_and_custom_range(client, recent):
    today = timezone.localdate()
    client.force_login(recent.county_officer)
    month = client.get(
        region_url(recent.county), {"period": "month", "year": today.year, "month": today.month}
    )
    assert month.context["period"].start == today.replace(day=1)
    assert month.context["dash"].totals["people"] == 6
    earlier = client.get(
        region_url(recent.county), {"period": "custom", "start": "2020-01-01", "end": "2020-03-31"}
    )
    assert earlier.context["period"].kind == "custom"
    assert earlier.context["dash"].totals["people"] == 0
    nonsense = client.get(
        region_url(recent.county), {"period": "month", "month": "13", "year": "x"}
    )
    assert nonsense.status_code == 200 and nonsense.context["period"].kind == "month"


def test_every_figure_links_to_the_list_that_shows_its_rows(client, recent):
    response = page(client, recent.county_officer, region_url(recent.county))
    links = response.context["links"]
    county = recent.county
    assert links["stations"] == f"/stations/?region={county.code}&status=active"
    assert links["stars_0"] == f"/stations/?region={county.code}&status=active&stars=none"
    assert links["deputies"] == f"/deputies/?region={county.code}&status=active"
    assert links["overdue"] == f"/suggestions/?region={county.pk}&overdue=true"
    assert links["solved"].startswith(f"/suggestions/?region={county.pk}&outcome=solved")
    assert "category_water" in links
    # The links reproduce the counts: the overdue list shows exactly the overdue figure.
    inbox = client.get(links["overdue"])
    assert inbox.context["page"].paginator.count == response.context["dash"].totals["overdue"] == 1
    stations = client.get(links["stations"])
    dash = response.context["dash"]
    assert (
        stations.context["page"].paginator.count == dash.totals["stations"] + dash.totals["points"]
    )


def test_station_links_use_the_station_filters(client, recent):
    station = recent.station
    url = reverse("dashboards:station", kwargs={"station_pk": station.pk})
    links = page(client, recent.county_officer, url).context["links"]
    assert links["deputies"] == f"/deputies/?station={station.pk}&status=active"
    assert links["overdue"] == f"/suggestions/?station={station.pk}&overdue=true"
    assert links["receptions"].startswith(
        reverse("receptions:log_list") + f"?station={station.pk}&start="
    )


def test_dashboard_reads_a_constant_number_of_queries(
    client, recent, django_assert_max_num_queries
):
    rollup_refresh()
    client.force_login(recent.city_officer)
    client.get(region_url(recent.city))  # the session's one-off costs
    with django_assert_max_num_queries(40) as small:
        before = client.get(region_url(recent.city)).context["dash"].totals

    first = timezone.localdate().replace(day=1)
    for index, region in enumerate([recent.township, recent.neighbour_township] * 6):
        suggestion(
            region, ("water", "roads", "jobs")[index % 3], Suggestion.Status.ACCEPTED, day=first
        )
        reception(recent.station, first, [recent.deputy], 2)
    rollup_refresh()
    # Twelve more concerns and receptions across regions and categories: no more queries.
    with django_assert_max_num_queries(len(small.captured_queries)):
        after = client.get(region_url(recent.city)).context["dash"].totals
    assert sum(after.values()) > sum(before.values())


def test_menu_offers_the_dashboard_to_leaders_not_to_clerks(client, recent):
    client.force_login(recent.leader)
    assert reverse("dashboards:index") in client.get(reverse("accounts:home")).content.decode()
    client.force_login(recent.clerk)
    assert reverse("dashboards:index") not in client.get(reverse("accounts:home")).content.decode()


def test_village_dashboard_goes_to_its_township(client, recent):
    response = page(client, recent.county_officer, region_url(recent.village))
    assert response.status_code == 302 and response["Location"] == region_url(recent.township)


def test_figures_after_the_rollups_match_the_live_ones(client, recent):
    client.force_login(recent.city_officer)
    before = client.get(region_url(recent.city)).context["dash"].totals
    rollup_refresh()
    after = client.get(region_url(recent.city)).context["dash"].totals
    assert before == after


def test_at_helper_is_beijing_time():
    assert at(datetime.date(2026, 1, 1)).utcoffset() == datetime.timedelta(hours=8)
