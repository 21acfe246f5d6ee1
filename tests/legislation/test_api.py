"""The API: the pages' scoping, Chinese field errors, and no personal data."""

from legislation.models import Comment


def _post(client, data):
    return client.post("/api/legislation/comments/", data, content_type="application/json")


def test_a_consultation_in_detail(client, lw, world, open_day):
    client.force_login(world.city_officer)
    data = client.get(f"/api/legislation/consultations/{lw.consultation.pk}/").json()
    assert data["phase"] == "open" and data["article_count"] == 3
    assert [a["label"] for a in data["articles"]] == ["第一条", "第二条", "第三条"]
    assert data["points"][0]["station_name"] == "天宁镇人大代表联络站"
    assert data["available_actions"] == ["edit"]


def test_comments_carry_no_name_or_phone(client, lw, world, open_day):
    client.force_login(world.station_officer)
    [row] = client.get("/api/legislation/comments/").json()["results"]
    assert row["article_label"] == "第一条" and row["author_kind"] == "citizen"
    assert not {"author_name", "contact_phone", "deputy", "collector"} & set(row)


def test_an_officer_records_through_the_api_with_chinese_field_errors(client, lw, world, open_day):
    client.force_login(world.station_officer)
    base = {"participation": lw.participation.pk, "content": "座谈会上收集的意见。"}
    missing = _post(client, base)
    assert missing.status_code == 400
    assert set(missing.json()) == {"channel", "received_on"}
    assert "须填写" in missing.json()["channel"][0]
    wrong_article = _post(
        client, {**base, "article_number": 99, "channel": "box", "received_on": "2026-03-10"}
    )
    assert wrong_article.status_code == 400 and "草案中没有这一条" in wrong_article.content.decode()
    named = _post(
        client, {**base, "author_kind": "deputy", "channel": "box", "received_on": "2026-03-10"}
    )
    assert named.status_code == 400 and "请在页面上录入" in named.content.decode()
    online = _post(client, {**base, "channel": "online", "received_on": "2026-03-10"})
    assert online.status_code == 400 and "请选择意见的收集渠道" in online.content.decode()
    created = _post(
        client, {**base, "article_number": 2, "channel": "box", "received_on": "2026-03-10"}
    )
    assert created.status_code == 201
    assert created.json()["article_label"] == "第二条" and created.json()["number"] == 2
    assert Comment.objects.count() == 2


def test_the_pages_and_the_summary_read_in_english(client, lw, world, open_day):
    from django.utils import translation

    from legislation.documents import summary_pdf

    client.cookies["django_language"] = "en"
    page = client.get(f"/l/{lw.participation.public_token}/").content.decode()
    assert "Full text of the draft" in page and "This point has received 1 comment" in page
    client.force_login(world.station_officer)
    point = client.get(f"/legislation/points/{lw.participation.pk}/").content.decode()
    assert "Record an offline comment" in point and "Comments received" in point
    with translation.override("en"):
        assert summary_pdf(lw.participation)[:4] == b"%PDF"
