"""Register and duty-record objects on the 交城县 side of the `world` cast, made on first use.

The cross-region walk and the register tests share them: `registers(world).reception`.
"""

import datetime
from types import SimpleNamespace

from duties.models import DutyReport
from receptions.models import (
    ActivityKind,
    ActivityPhoto,
    ContactHousehold,
    Reception,
    StationActivity,
    Visit,
)
from suggestions.models import Constituent

DAY = datetime.date(2026, 3, 20)


def registers(world) -> SimpleNamespace:
    if getattr(world, "_registers", None) is not None:
        return world._registers
    reception = Reception.objects.create(
        station=world.station,
        region=world.township,
        date=DAY,
        people_count=3,
        form_token="walk-reception-token-0001",
    )
    reception.deputies.set([world.deputy])
    person = Constituent.objects.create(
        region=world.county, name="李大妈", phone="13900001111", village="西街社区"
    )
    household = ContactHousehold.objects.create(
        deputy=world.deputy, constituent=person, region=world.township, address="西街12号"
    )
    visit = Visit.objects.create(
        deputy=world.deputy, region=world.township, date=DAY, form_token="walk-visit-token-0001"
    )
    visit.households.set([household])
    activity = StationActivity.objects.create(
        station=world.station,
        region=world.township,
        kind=ActivityKind.LAW_LECTURE,
        title="代表讲法律：民法典进社区",
        date=DAY,
    )
    activity.deputies.set([world.deputy])
    photo = ActivityPhoto.objects.create(activity=activity, image="activities/walk/x.jpg")
    report = DutyReport.objects.create(
        deputy=world.deputy, region=world.township, year=2025, date=datetime.date(2026, 1, 10)
    )
    world._registers = SimpleNamespace(
        reception=reception,
        household=household,
        visit=visit,
        activity=activity,
        photo=photo,
        report=report,
    )
    return world._registers
