from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from regions.models import Region
from regions.services import read_region_csv, region_import
from tests.dbvendor import postgresql_only

SHANXI = Path(__file__).resolve().parents[2] / "regions" / "data" / "shanxi.csv"


def write_csv(tmp_path, text):
    path = tmp_path / "regions.csv"
    path.write_text("code,name,level,parent_code\n" + text, encoding="utf-8")
    return path


def test_import_builds_the_tree_with_paths(db):
    report = region_import(rows=read_region_csv(SHANXI, under="141122"))

    assert report.errors == []
    tianning = Region.objects.get(code="141122100")
    assert tianning.path == "14/1411/141122/141122100/"
    assert tianning.parent.name == "交城县"
    assert Region.objects.filter(path__startswith="14/1411/141122/").count() == report.created - 2


def test_import_twice_changes_nothing(db):
    rows = read_region_csv(SHANXI, under="141122")
    first = region_import(rows=rows)
    second = region_import(rows=rows)

    assert second.created == 0
    assert second.unchanged == first.created


def test_bad_rows_are_all_reported_and_nothing_is_written(db, tmp_path):
    path = write_csv(
        tmp_path,
        "14,山西省,province,\n"
        "1411,,city,14\n"
        "1499,某市,metropolis,14\n"
        "141199,某县,county,9999\n"
        "1411,吕梁市,city,14\n"
        "150101,错位县,county,14\n",
    )

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_regions", str(path))

    report = region_import(rows=read_region_csv(path))
    joined = "\n".join(report.errors)
    assert "第3行：缺少名称" in joined
    assert "第4行：层级“metropolis”无效" in joined
    assert "第5行：上级区划“9999”不存在" in joined
    assert "第6行：区划代码“1411”重复" in joined
    assert "第7行：区划代码应以上级代码开头" in joined
    assert not Region.objects.exists()


def test_region_page_shows_children_with_counts(client, world):
    client.force_login(world.county_officer)

    response = client.get(reverse("regions:detail", args=["141122"]))

    rows = {child.code: counts for child, counts in response.context["rows"]}
    assert rows["141122100"] == {"stations": 2, "deputies": 2}
    assert rows["141122101"] == {"stations": 1, "deputies": 0}


def test_region_list_opens_the_users_own_region(client, world):
    client.force_login(world.township_officer)

    response = client.get(reverse("regions:list"))

    assert response.context["region"] == world.township


def test_region_api_lists_only_the_subtree(client, world):
    client.force_login(world.county_officer)

    codes = {row["code"] for row in client.get("/api/regions/?page_size=100").json()["results"]}

    assert "141122100" in codes
    assert "141121" not in codes and "1411" not in codes


@postgresql_only("SQLite's LIKE cannot use an index here; the demo database is small")
def test_subtree_query_uses_the_pattern_index_on_postgresql(world):
    query = Region.objects.filter(path__startswith="14/1411/141122/").values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    # With sequential scans priced out, only a usable index avoids a Seq Scan.
    assert "Seq Scan" not in plan and "Index" in plan, plan
