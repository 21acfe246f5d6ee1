"""Indexes the hot tables no longer keep up (issue 19, the citizen's submit).

- The event's own index on `suggestion`: `suggestion_event_at` (suggestion, at) serves
  every lookup by suggestion.
- PostgreSQL's `varchar_pattern_ops` copies ("_like") of the unique `tracking_code`
  and `submission_token` indexes and of the rate counter's key: Django adds them to
  serve LIKE on those columns, and nothing looks them up by pattern on a hot path (the
  demo seed's one `submission_token__startswith` check reads a small table). The
  unique indexes themselves stay. Dropping an index is quick and takes no rebuild.
"""

import django.db.models.deletion
from django.db import migrations, models

LIKE_COPIES = [
    ("suggestions_suggestion", "tracking_code"),
    ("suggestions_suggestion", "submission_token"),
    ("suggestions_ratecounter", "key"),
]


def drop_like_copies(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_COPIES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def add_like_copies(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_COPIES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON "
            f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)} "
            "varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0007_rate_counter"),
    ]

    operations = [
        migrations.AlterField(
            model_name="suggestionevent",
            name="suggestion",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="suggestions.suggestion",
            ),
        ),
        migrations.RunPython(drop_like_copies, add_like_copies),
    ]
