"""The demo city's consultations: a closed fire regulation draft worked to the end, one open."""

import datetime

from deputies.models import StationMembership
from duties.models import DutyCredit
from legislation import demo
from legislation.models import Comment, Consultation, Participation, Phase


def test_the_demo_seeds_a_closed_and_an_open_consultation_once(world, clock):
    clock(datetime.date(2026, 6, 1))
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2024, 1, 1)
    )
    demo.seed()
    fire = Consultation.objects.get(title=demo.FIRE_TITLE)
    dog = Consultation.objects.get(title=demo.DOG_TITLE)
    assert fire.articles.count() == 60 and fire.headings.filter(level="section").count() == 2
    assert fire.phase() == Phase.CLOSED and dog.phase() == Phase.OPEN
    assert Comment.objects.filter(consultation=fire).count() == 15
    assert set(fire.participations.values_list("status", flat=True)) == {"feedback"}
    assert not Comment.objects.filter(consultation=fire, decision="pending").exists()
    assert Comment.objects.filter(consultation=fire, adopted=True).count() == 8
    showcase = Participation.objects.get(consultation=fire, station=world.station)
    assert showcase.opinions.count() == len(demo.FIRE_OPINIONS)
    assert showcase.sendings.get().sent_on < fire.closes_on
    assert showcase.meetings.get().collectors.count() == 4
    assert DutyCredit.objects.filter(deputy=world.deputy, kind="legislative_comment").exists()
    assert Comment.objects.filter(consultation=dog).count() == 4
    demo.seed()
    assert Consultation.objects.count() == 2 and Comment.objects.count() == 19
