"""Demo accounts: one for every role at every level, all with the same documented password."""

from deputies.models import Deputy
from regions.models import Region
from stations.models import Station
from suggestions.models import HandlingUnit

from .models import Role, RoleAssignment, User

DEMO_PASSWORD = "Lianxin2026"

# (username, full name, role, region code, station name, unit name, deputy name)
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", Role.SYSADMIN, "14", None, None, None),
    ("lvliang_admin", "吕梁市系统管理员", Role.SYSADMIN, "1411", None, None, None),
    ("lvliang", "王晓燕", Role.CITY_STAFF, "1411", None, None, None),
    ("jiaocheng", "李建国", Role.COUNTY_STAFF, "141122", None, None, None),
    ("lishi", "张丽", Role.COUNTY_STAFF, "141102", None, None, None),
    ("wenshui", "赵强", Role.COUNTY_STAFF, "141121", None, None, None),
    ("tianning", "刘芳", Role.TOWNSHIP_STAFF, "141122100", None, None, None),
    ("binhe", "陈伟", Role.TOWNSHIP_STAFF, "141102001", None, None, None),
    ("tianning_station", "郭红梅", Role.STATION_OFFICER, None, "天宁镇人大代表联络站", None, None),
    ("deputy_demo", "马志刚", Role.DEPUTY, None, None, None, "马志刚"),
    ("water_clerk", "孙建军", Role.UNIT_CLERK, None, None, "交城县水务局", None),
    ("leader_city", "周国平", Role.LEADER, "1411", None, None, None),
    ("leader_jiaocheng", "吴志勇", Role.LEADER, "141122", None, None, None),
]


def ensure_base_places() -> None:
    """The few places the demo accounts are bound to; later seeders add the rest."""
    tianning = Region.objects.get(code="141122100")
    jiaocheng = Region.objects.get(code="141122")
    Station.objects.get_or_create(
        name="天宁镇人大代表联络站",
        defaults={
            "region": tianning,
            "kind": Station.Kind.TOWNSHIP,
            "address": "交城县天宁镇政府院内",
            "opening_hours": "工作日 8:30-12:00, 14:30-17:30",
            "head_name": "刘芳",
        },
    )
    HandlingUnit.objects.get_or_create(
        name="交城县水务局", defaults={"region": jiaocheng, "kind": HandlingUnit.Kind.DEPARTMENT}
    )
    Deputy.objects.get_or_create(
        name="马志刚",
        region=tianning,
        defaults={
            "level": Deputy.Level.COUNTY,
            "gender": Deputy.Gender.MALE,
            "work_unit": "天宁镇西街社区",
            "position": "党支部书记",
            "commitment": "倾听群众呼声，件件有回音。",
        },
    )


def seed(stdout=None) -> None:
    ensure_base_places()
    for username, full_name, role, code, station, unit, deputy in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = username == "admin"
            user.save()
        place = {}
        if station:
            place["station"] = Station.objects.get(name=station)
            place["region"] = place["station"].region
        elif unit:
            place["unit"] = HandlingUnit.objects.get(name=unit)
            place["region"] = place["unit"].region
        elif deputy:
            record = Deputy.objects.get(name=deputy)
            record.user = user
            record.save(update_fields=["user"])
            place["region"] = record.region
        else:
            place["region"] = Region.objects.get(code=code)
        RoleAssignment.objects.get_or_create(user=user, role=role, **place)
    if stdout:
        stdout.write(f"accounts: {len(DEMO_ACCOUNTS)} demo logins, password {DEMO_PASSWORD}")
