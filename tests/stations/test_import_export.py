import pytest
from django.urls import reverse

from audit.models import AuditRecord
from stations.importing import STATION_COLUMNS
from stations.models import Station
from tests.stations.helpers import read_xlsx, sheet

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in STATION_COLUMNS]


def _row(**values):
    return [values.get(header, "") for header in HEADERS]


def _upload(client, upload):
    return client.post(reverse("stations:import"), {"file": upload})


def _problems(response) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in response.context["problems"]}


def test_template_download_opens_with_chinese_headers_and_an_example(client_for, world):
    response = client_for(world.county_officer).get(reverse("stations:import_template"))

    assert response.status_code == 200
    rows = read_xlsx(response.content)
    assert rows[0] == HEADERS
    assert rows[1][0] == "天宁镇人大代表联络站"


def test_every_problem_is_reported_and_nothing_is_written(client_for, world):
    upload = sheet(
        HEADERS,
        _row(**{"名称": "", "类型": "联络站", "区划代码": world.other_township.code}),  # 2: no name
        _row(
            **{"名称": "甲站", "类型": "太空站", "区划代码": world.other_township.code}
        ),  # 3: bad kind
        _row(**{"名称": "乙站", "类型": "联络站", "区划代码": "999999999"}),  # 4: unknown region
        _row(
            **{"名称": "丙站", "类型": "联络站", "区划代码": world.neighbour_township.code}
        ),  # 5: foreign
        _row(
            **{
                "名称": "丁站",
                "类型": "联络站",
                "区划代码": world.other_township.code,
                "联系电话": "12345",
            }
        ),
        _row(**{"名称": "戊站", "类型": "联络站", "区划代码": world.other_township.code}),  # 7
        _row(
            **{"名称": "戊站", "类型": "联络站", "区划代码": world.other_township.code}
        ),  # 8: dup of 7
        _row(
            **{"名称": "天宁镇人大代表联络站", "类型": "联络站", "区划代码": world.township.code}
        ),  # 9
        _row(
            **{
                "名称": "己点",
                "类型": "联络点",
                "区划代码": world.village.code,
                "所属联络站": "不存在站",
            }
        ),
        _row(
            **{"名称": "庚点", "类型": "联络点", "区划代码": world.village.code}
        ),  # 11: point w/o parent
        _row(
            **{"名称": "辛站", "类型": "联络站", "区划代码": world.county.code}
        ),  # 12: county level
        _row(
            **{
                "名称": "壬站",
                "类型": "联络站",
                "区划代码": world.other_township.code,
                "纬度": "北纬",
            }
        ),
    )

    response = _upload(client_for(world.county_officer), upload)

    assert response.status_code == 200
    assert _problems(response) == {
        (2, "名称"),
        (3, "类型"),
        (4, "区划代码"),
        (5, "区划代码"),
        (6, "联系电话"),
        (8, "名称"),
        (9, "名称"),
        (10, "所属联络站"),
        (11, "所属联络站"),
        (12, "区划代码"),
        (13, "纬度"),
    }
    messages = {(p.row, p.column): p.message for p in response.context["problems"]}
    # A region outside the scope reads exactly like one that does not exist.
    assert messages[(5, "区划代码")] == f"区划代码“{world.neighbour_township.code}”不存在"
    assert messages[(4, "区划代码")] == "区划代码“999999999”不存在"
    assert "第7行" in messages[(8, "名称")]
    assert "缺少名称" in messages[(2, "名称")]
    html = response.content.decode()
    assert "未导入任何数据" in html and "太空站" in html
    assert not Station.objects.filter(name__in=["甲站", "丁站", "戊站", "壬站"]).exists()
    assert not AuditRecord.objects.filter(action="import").exists()


def test_missing_required_column_and_non_xlsx_file_are_reported(client_for, world):
    client = client_for(world.county_officer)
    missing = _upload(client, sheet(["名称", "地址"], ["甲站", "某地"]))
    assert (1, "类型") in _problems(missing) and (1, "区划代码") in _problems(missing)

    junk = sheet(HEADERS)
    junk = type(junk)(b"this is not a workbook")
    junk.name = "junk.xlsx"
    assert _problems(_upload(client, junk)) == {(0, "")}


def test_clean_sheet_imports_everything_in_one_go(client_for, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    upload = sheet(
        HEADERS,
        _row(
            **{
                "名称": "西营镇人大代表联络站",
                "类型": "乡镇（街道）联络站",
                "区划代码": world.other_township.code,
                "联系电话": "0358-5620001",
                "站长": "赵主席",
                "纬度": "37.5",
                "经度": "112.1",
            }
        ),
        _row(
            **{
                "名称": "西街企业联络点",
                "类型": "企业联络点",
                "区划代码": world.village.code,
                "所属联络站": "天宁镇人大代表联络站",
            }
        ),
        _row(
            **{
                "名称": "西营村联络点",
                "类型": "联络点",
                "区划代码": world.other_township.code,
                "所属联络站": "西营镇人大代表联络站",
            }
        ),
    )

    checked = _upload(client, upload)
    assert checked.context["ready"] == 3
    assert not Station.objects.filter(
        name="西营镇人大代表联络站"
    ).exists()  # dry run writes nothing
    assert list((tmp_path / "imports").iterdir())

    done = client.post(reverse("stations:import_confirm"), {"token": checked.context["token"]})

    assert done.status_code == 302
    new = Station.objects.get(name="西营镇人大代表联络站")
    assert new.region_path == world.other_township.path and str(new.latitude) == "37.500000"
    assert Station.objects.get(name="西营村联络点").parent == new
    assert Station.objects.get(name="西街企业联络点").parent == world.station
    record = AuditRecord.objects.get(action="import")
    assert record.changes == {"stations": [None, 1], "points": [None, 2]}
    assert record.region_path == world.county.path
    assert not list((tmp_path / "imports").iterdir())


def test_confirm_checks_the_sheet_again(client_for, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    upload = sheet(
        HEADERS, _row(**{"名称": "后来者", "类型": "联络站", "区划代码": world.other_township.code})
    )
    checked = _upload(client, upload)
    # Someone creates the same station between the dry run and the confirmation.
    Station.objects.create(name="后来者", region=world.other_township)

    response = client.post(reverse("stations:import_confirm"), {"token": checked.context["token"]})

    assert response.status_code == 200
    assert _problems(response) == {(2, "名称")}
    assert Station.objects.filter(name="后来者").count() == 1


def test_confirm_needs_the_token_of_this_session(client_for, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    _upload(
        client,
        sheet(
            HEADERS, _row(**{"名称": "令牌站", "类型": "联络站", "区划代码": world.township.code})
        ),
    )

    response = client.post(reverse("stations:import_confirm"), {"token": "guessed"})

    assert response.status_code == 302
    assert not Station.objects.filter(name="令牌站").exists()


def test_leader_cannot_import(client_for, world):
    client = client_for(world.leader)
    assert client.get(reverse("stations:import")).status_code == 403
    assert client.get(reverse("stations:import_template")).status_code == 403
    assert client.post(reverse("stations:import_confirm"), {"token": "x"}).status_code == 403


def test_export_follows_filters_and_shows_the_published_station_phone(client_for, world):
    Station.objects.filter(pk=world.station.pk).update(phone="13835801234")
    Station.objects.filter(pk=world.sibling_station.pk).update(phone="13835805678")

    leader_rows = read_xlsx(client_for(world.leader).get(reverse("stations:export")).content)
    staff = client_for(world.county_officer).get(
        reverse("stations:export"), {"region": world.township.code}
    )
    staff_rows = read_xlsx(staff.content)

    assert leader_rows[0][:3] == ["名称", "类型", "所属联络站"]
    leader_phones = {row[0]: row[7] for row in leader_rows[1:]}
    # A station's number is printed on its public page and placard: not personal data.
    assert leader_phones["天宁镇人大代表联络站"] == "13835801234"
    assert "凤城镇联络站" not in leader_phones
    assert {row[0] for row in staff_rows[1:]} == {"天宁镇人大代表联络站", "西街社区联络点"}
    assert {row[0]: row[7] for row in staff_rows[1:]}["天宁镇人大代表联络站"] == "13835801234"
    assert AuditRecord.objects.filter(action="export").count() == 2
