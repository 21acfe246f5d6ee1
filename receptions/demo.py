"""Demo reception rules and registers for the stations of Lvliang (吕梁市).

The registers (a year of receptions, visits, households and activities) are in
`demo_registers.py`; this module keeps the rules.

A mix of the patterns the articles describe: every month on the 20th, every
Thursday, and the monthly rota (月进站). Stations that already have a rule are
left alone, so running the seeder twice changes nothing.
"""

import datetime
from collections import defaultdict

from deputies.models import Deputy, StationMembership
from stations.models import Station

from .models import ReceptionRule, Weekday

DEMO_CITY_PATH = "14/1411/"
MORNING = (datetime.time(9, 0), datetime.time(11, 30))
AFTERNOON = (datetime.time(14, 30), datetime.time(17, 0))
VALID_FROM = datetime.date(2026, 1, 1)

# (kind, day_of_month, weekday, hours, how many deputies to name; 0 = the whole station)
PATTERNS = [
    (ReceptionRule.Kind.MONTHLY, 20, None, MORNING, 2),
    (ReceptionRule.Kind.WEEKLY, None, Weekday.THURSDAY, AFTERNOON, 2),
    (ReceptionRule.Kind.ROTA, None, Weekday.TUESDAY, MORNING, 0),
]
# The demo deputy's station shows every pattern, so 马志刚 has duty days to look at.
SHOWCASE_STATION = "天宁镇人大代表联络站"


def seed(stdout=None) -> None:
    seed_rules(stdout)
    from .demo_registers import seed_registers

    seed_registers(stdout)


def seed_rules(stdout=None) -> None:
    stations = list(
        Station.objects.filter(
            region_path__startswith=DEMO_CITY_PATH,
            parent__isnull=True,
            status=Station.Status.ACTIVE,
        )
        .exclude(reception_rules__isnull=False)
        .order_by("region_path", "pk")
    )
    if not stations:
        if stdout:
            stdout.write("receptions: nothing to add")
        return
    pools, grouped = _deputy_pools(stations)
    rules, picks = [], []
    for index, station in enumerate(stations):
        patterns = PATTERNS if station.name == SHOWCASE_STATION else [PATTERNS[index % 3]]
        for kind, day, weekday, (start, end), how_many in patterns:
            pool = pools.get(station.pk, [])
            named = pool[:how_many] if how_many else []
            if kind == ReceptionRule.Kind.ROTA and station.pk not in grouped:
                named = pool[:4]  # no deputies grouped in yet: name a few by hand
            rules.append(
                ReceptionRule(
                    station=station,
                    region_id=station.region_id,
                    region_path=station.region_path,
                    kind=kind,
                    day_of_month=day,
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                    valid_from=VALID_FROM,
                    note="代表进站接待选民"
                    if kind != ReceptionRule.Kind.ROTA
                    else "月进站、季回家",
                )
            )
            picks.append(named)
    ReceptionRule.objects.bulk_create(rules)
    through = ReceptionRule.deputies.through
    through.objects.bulk_create(
        [
            through(receptionrule_id=rule.pk, deputy_id=deputy.pk)
            for rule, named in zip(rules, picks, strict=True)
            for deputy in named
        ]
    )
    if stdout:
        stdout.write(f"receptions: {len(rules)} rules for {len(stations)} stations")


def _deputy_pools(stations) -> tuple[dict[int, list[Deputy]], set[int]]:
    """Per station: its grouped deputies, or else the deputies of its region.

    Also returns the ids of the stations that have deputies grouped into them.
    """
    station_ids = [station.pk for station in stations]
    pools: dict[int, list[Deputy]] = defaultdict(list)
    memberships = (
        StationMembership.objects.filter(station_id__in=station_ids, end_date__isnull=True)
        .select_related("deputy")
        .order_by("deputy__name", "deputy_id")
    )
    for membership in memberships:
        if membership.deputy.status == Deputy.Status.ACTIVE:
            pools[membership.station_id].append(membership.deputy)
    grouped = set(pools)
    by_region: dict[int, list[Deputy]] = defaultdict(list)
    region_ids = {station.region_id for station in stations}
    for deputy in Deputy.objects.filter(
        region_id__in=region_ids, status=Deputy.Status.ACTIVE
    ).order_by("name", "pk"):
        by_region[deputy.region_id].append(deputy)
    for station in stations:
        if station.pk not in pools:
            pools[station.pk] = by_region.get(station.region_id, [])
    return pools, grouped
