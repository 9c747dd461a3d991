from django.db import migrations

from search import db


class Migration(migrations.Migration):
    """The pg_trgm index served no query: prefix terms use the tsvector's GIN index (see
    search/db.py); it cost ~40 % more time per insert and twice that index's size."""

    dependencies = [("search", "0001_initial")]

    operations = [
        db.VendorSQL(
            "postgresql",
            ["DROP INDEX IF EXISTS search_entry_trigram"],
            ["CREATE INDEX search_entry_trigram ON search_entry USING gin (text gin_trgm_ops)"],
        ),
    ]
