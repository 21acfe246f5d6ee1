"""Township rows per station and per category are new: forget how far the old rollups
reached, so dashboards count live until the next refresh, which then builds
everything (a refresh with no watermark is a full one)."""

from django.db import migrations


def forget_rollups(apps, schema_editor):
    RollupState = apps.get_model("dashboards", "RollupState")
    RollupState.objects.update(built_through=None, watermark=None, refreshed_at=None)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_station_month")]

    operations = [migrations.RunPython(forget_rollups, migrations.RunPython.noop)]
