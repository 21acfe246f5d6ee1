import pytest
from django.urls import reverse

from audit.models import AuditRecord
from deputies.importing import DEPUTY_COLUMNS
from deputies.models import Deputy, StationMembership
from tests.stations.helpers import group_into, read_xlsx, sheet

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in DEPUTY_COLUMNS]


def _row(**values):
    return [values.get(header, "") for header in HEADERS]


def _ok(name, phone="", **extra):
    return _row(
        **{
            "姓名": name,
            "代表层级": "乡镇人大代表",
            "区划代码": "141122100",
            "手机号": phone,
            **extra,
        }
    )


def _upload(client, upload):
    return client.post(reverse("deputies:import"), {"file": upload})


def test_template_download_opens_with_the_importer_headers(client_for, world):
    response = client_for(world.county_officer).get(reverse("deputies:import_template"))

    rows = read_xlsx(response.content)
    assert rows[0] == HEADERS
    assert rows[1][:3] == ["马志刚", "男", "县区人大代表"]


def test_every_problem_is_reported_with_row_and_column(client_for, world):
    Deputy.objects.filter(pk=world.other_deputy.pk).update(phone="13900000009")
    upload = sheet(
        HEADERS,
        _ok("", "13900000001"),  # 2: missing name
        _ok("甲", "1390000"),  # 3: bad phone
        _ok("乙", **{"区划代码": "141122999"}),  # 4: unknown region
        _ok("丙", **{"区划代码": world.neighbour_township.code}),  # 5: region outside scope
        _ok("丁", "13900000002"),  # 6
        _ok("丁", "13900000002"),  # 7: duplicate of 6
        _ok("王秀英", "13900000009"),  # 8: duplicate of an existing deputy
        _ok("戊", **{"所属联络站": "不存在联络站"}),  # 9: unknown station
        _ok("己", **{"所属联络站": "凤城镇联络站"}),  # 10: a neighbour's station reads as unknown
        _ok("庚", **{"代表层级": "村代表"}),  # 11: bad level
        _ok("辛", **{"性别": "未知"}),  # 12: bad gender
        _ok("壬", **{"所属联络站": "天宁镇人大代表联络站", "进站日期": "去年"}),  # 13: bad date
    )

    response = _upload(client_for(world.county_officer), upload)

    problems = {(p.row, p.column): p.message for p in response.context["problems"]}
    assert set(problems) == {
        (2, "姓名"),
        (3, "手机号"),
        (4, "区划代码"),
        (5, "区划代码"),
        (7, "姓名"),
        (8, "姓名"),
        (9, "所属联络站"),
        (10, "所属联络站"),
        (11, "代表层级"),
        (12, "性别"),
        (13, "进站日期"),
    }
    assert problems[(5, "区划代码")] == f"区划代码“{world.neighbour_township.code}”不存在"
    assert problems[(10, "所属联络站")] == "联络站“凤城镇联络站”不存在"
    assert "11位手机号" in problems[(3, "手机号")]
    assert "第6行" in problems[(7, "姓名")]
    assert problems[(2, "姓名")] == "缺少姓名"
    html = response.content.decode()
    assert "<td>手机号</td>" in html and "村代表" in html
    assert not Deputy.objects.filter(name__in=["甲", "丁", "庚"]).exists()
    assert not AuditRecord.objects.filter(action="import").exists()


def test_clean_sheet_imports_all_rows_and_groups_them(client_for, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    upload = sheet(
        HEADERS,
        _ok(
            "赵一",
            13900000011,
            **{"性别": "女", "所属联络站": "天宁镇人大代表联络站", "进站日期": "2024/3/1"},
        ),
        _ok("钱二", "13900000012", **{"代表层级": "县", "区划代码": world.other_township.code}),
        _ok(
            "孙三",
            **{"代表层级": "全国人大代表", "所属联络站": "西街社区联络点", "履职承诺": "为民代言"},
        ),
    )

    checked = _upload(client, upload)
    assert checked.context["ready"] == 3 and not Deputy.objects.filter(name="赵一").exists()
    done = client.post(reverse("deputies:import_confirm"), {"token": checked.context["token"]})

    assert done.status_code == 302
    zhao = Deputy.objects.get(name="赵一")
    assert (
        zhao.phone == "13900000011"
        and zhao.gender == "female"
        and zhao.region_path == world.township.path
    )
    assert Deputy.objects.get(name="钱二").level == "county"
    assert Deputy.objects.get(name="孙三").commitment == "为民代言"
    memberships = StationMembership.objects.filter(deputy__name__in=["赵一", "孙三"])
    assert {m.station.name for m in memberships} == {"天宁镇人大代表联络站", "西街社区联络点"}
    assert str(memberships.get(deputy=zhao).start_date) == "2024-03-01"
    record = AuditRecord.objects.get(action="import")
    assert record.changes == {"deputies": [None, 3], "memberships": [None, 2]}


def test_export_masks_phones_for_leaders_and_follows_filters(client_for, world, settings):
    Deputy.objects.filter(pk=world.deputy.pk).update(phone="13835801234")
    group_into(world.deputy, world.station)
    settings.PHONES_SHOWN_IN_FULL = ["county_staff"]  # by default nobody sees them in full

    leader_rows = read_xlsx(client_for(world.leader).get(reverse("deputies:export")).content)
    staff_rows = read_xlsx(
        client_for(world.county_officer)
        .get(reverse("deputies:export"), {"station": world.station.pk})
        .content
    )

    assert leader_rows[0] == [
        "姓名",
        "性别",
        "代表层级",
        "所属区划",
        "区划代码",
        "选区",
        "工作单位",
        "职务",
        "手机号",
        "专业领域",
        "党派",
        "届别",
        "状态",
        "所在联络站",
    ]
    leader = {row[0]: row for row in leader_rows[1:]}
    assert set(leader) == {"马志刚", "王秀英"}
    assert leader["马志刚"][8] == "138****1234"
    assert [row[0] for row in staff_rows[1:]] == ["马志刚"]
    assert staff_rows[1][8] == "13835801234" and staff_rows[1][13] == "天宁镇人大代表联络站"


def test_leader_cannot_import_deputies(client_for, world):
    assert (
        client_for(world.leader)
        .post(reverse("deputies:import"), {"file": sheet(HEADERS)})
        .status_code
        == 403
    )
