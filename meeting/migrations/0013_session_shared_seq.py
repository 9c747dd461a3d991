"""A session's ``shared_seq`` (realtime.shared_snapshot): the seq of its last event that may
change a snapshot's shared part. Sessions made earlier start from their ``seq``."""

from django.db import migrations, models
from django.db.models import F


def start_at_seq(apps, schema_editor):
    apps.get_model("meeting", "Session").objects.update(shared_seq=F("seq"))


class Migration(migrations.Migration):
    dependencies = [
        ("meeting", "0012_session_vote_weights_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="shared_seq",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(start_at_seq, migrations.RunPython.noop),
    ]
