"""The one phone rule (core/phones.py): the setting, the generic reveal and the API field."""

import pytest

from audit.models import AuditRecord
from deputies.models import Deputy

NUMBER = "13835801234"
MASKED = "138****1234"


@pytest.fixture
def deputy(world):
    Deputy.objects.filter(pk=world.deputy.pk).update(phone=NUMBER, phone_public=False)
    return Deputy.objects.get(pk=world.deputy.pk)


def _reveal(client, deputy, **data):
    return client.post(f"/phones/deputy/{deputy.pk}/reveal/", data)


def test_staff_reveal_a_deputys_number_with_a_reason_and_it_is_recorded(client, world, deputy):
    client.force_login(world.county_officer)
    refused = _reveal(client, deputy)
    assert refused.status_code == 400 and NUMBER not in refused.content.decode()
    assert "请选择查看完整手机号的原因" in refused.content.decode()
    assert _reveal(client, deputy, reason="made-up").status_code == 400
    assert not AuditRecord.objects.filter(action="reveal").exists()

    shown = _reveal(client, deputy, reason="contact")
    assert shown.status_code == 200 and NUMBER in shown.content.decode()
    record = AuditRecord.objects.get(action="reveal")
    assert record.actor == world.county_officer and record.object_id == str(deputy.pk)
    assert record.changes["reason"] == "contact" and "联系代表或联系人" in record.note


@pytest.mark.parametrize("who", ["leader", "clerk", "station_officer"])
def test_roles_that_do_not_need_it_cannot_reveal(client, world, deputy, who):
    client.force_login(getattr(world, who))
    answer = _reveal(client, deputy, reason="contact")
    assert answer.status_code in {403, 404} and NUMBER not in answer.content.decode()
    assert not AuditRecord.objects.filter(action="reveal").exists()


def test_an_unknown_kind_is_404_and_get_is_refused(client, world, deputy):
    client.force_login(world.county_officer)
    assert client.post(f"/phones/nothing/{deputy.pk}/reveal/", {"reason": "x"}).status_code == 404
    assert client.get(f"/phones/deputy/{deputy.pk}/reveal/").status_code == 405


def test_the_setting_names_the_roles_that_see_numbers_in_full(client, world, deputy, settings):
    url = f"/api/deputies/{deputy.pk}/"
    client.force_login(world.county_officer)
    assert client.get(url).json()["phone"] == MASKED
    settings.PHONES_SHOWN_IN_FULL = ["county_staff", "station_officer"]
    assert client.get(url).json()["phone"] == NUMBER
    client.force_login(world.leader)
    assert client.get(url).json()["phone"] == MASKED


def test_a_published_number_is_shown_as_it_is(client, world, deputy):
    Deputy.objects.filter(pk=deputy.pk).update(phone_public=True)
    client.force_login(world.leader)
    assert client.get(f"/api/deputies/{deputy.pk}/").json()["phone"] == NUMBER


def test_an_editor_who_sees_the_number_masked_keeps_it_by_leaving_the_field_blank(
    client, world, deputy
):
    client.force_login(world.county_officer)
    form = client.get(f"/deputies/{deputy.pk}/edit/").content.decode()
    assert NUMBER not in form and MASKED in form
    page = client.get(f"/deputies/{deputy.pk}/edit/")
    bound = page.context["form"]
    data = {}
    for name in bound.fields:
        value = bound[name].value()
        if name == "photo" or value in (None, False):
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    data["region"] = deputy.region_id
    data["phone"] = ""
    data["position"] = "村委会主任"
    saved = client.post(f"/deputies/{deputy.pk}/edit/", data)
    assert saved.status_code == 302, saved.context["form"].errors
    deputy.refresh_from_db()
    assert deputy.position == "村委会主任" and deputy.phone == NUMBER


def test_the_deputies_export_gives_full_numbers_only_as_an_audited_choice(client, world, deputy):
    import io

    from openpyxl import load_workbook

    def phones_in(response):
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        return [row[8] for row in sheet.iter_rows(values_only=True)][1:]

    client.force_login(world.county_officer)
    masked = phones_in(client.get("/deputies/export/"))
    assert MASKED in masked and NUMBER not in masked
    page = client.get("/deputies/").content.decode()
    assert 'name="phone_reason"' in page
    refused = client.post("/deputies/export/", follow=True)
    assert "请选择查看完整手机号的原因" in refused.content.decode()
    assert not AuditRecord.objects.filter(action="reveal").exists()
    assert NUMBER in phones_in(client.post("/deputies/export/", {"phone_reason": "contact"}))
    assert AuditRecord.objects.get(action="reveal").changes["reason"] == "contact"

    client.force_login(world.leader)
    assert 'name="phone_reason"' not in client.get("/deputies/").content.decode()
    assert client.post("/deputies/export/", {"phone_reason": "contact"}).status_code == 403
