from django.db import migrations, models

from search import db


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=50)),
                ("object_id", models.BigIntegerField()),
                ("council_id", models.BigIntegerField(null=True)),
                ("period", models.DateField(null=True)),
                ("text", models.TextField()),
            ],
            options={
                "indexes": [models.Index(fields=["council_id", "kind"], name="search_entry_council")],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "object_id"), name="search_entry_once")
                ],
            },
        ),
        db.VendorSQL("postgresql", db.POSTGRES_FORWARD, db.POSTGRES_BACKWARD),
        db.VendorSQL("sqlite", db.SQLITE_FORWARD, db.SQLITE_BACKWARD),
    ]
