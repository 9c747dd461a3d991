"""The council's log head carries a seal (meeting.council_log): an HMAC of (council, count,
last hash) under the server's key, remade at every append. Heads made before it are sealed
here, as they stand, with the key of the server that migrates."""

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def seal_existing_heads(apps, schema_editor):
    head_model = apps.get_model("meeting", "CouncilLogHead")
    for head in head_model.objects.all():
        head.seal = salted_hmac(
            "chamber.council-log-seal",
            f"{head.council_id}:{head.count}:{head.head}",
            secret=settings.SECRET_KEY,
            algorithm="sha256",
        ).hexdigest()
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):

    dependencies = [
        ('meeting', '0010_delegate_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='councilloghead',
            name='seal',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.RunPython(seal_existing_heads, migrations.RunPython.noop),
    ]
