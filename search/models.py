"""The search index: one row per searchable thing of any app, with its folded words.

Each engine adds its own index beside this table in migrations (search/db.py): on PostgreSQL
a generated ``tsvector`` column with a GIN index; on
SQLite an FTS5 table kept in step by triggers. On SQLite a migration that rebuilds this table
(most AlterField/RemoveField do) drops the triggers: re-create them there with
``search.db.sqlite_fts_triggers()``.
"""

from django.db import models


class Entry(models.Model):
    # "<app>.<thing>", e.g. "petitions.petition"; the owner app decides what it means.
    kind = models.CharField(max_length=50)
    object_id = models.BigIntegerField()
    # Plain ids, not foreign keys: the index knows no app. None: shared by several councils
    # (a document's page) — the owner scopes those itself.
    council_id = models.BigIntegerField(null=True)
    period = models.DateField(null=True)
    # search.folding.words(...) joined by spaces: only [a-z0-9] and spaces.
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once"),
        ]
        indexes = [models.Index(fields=["council_id", "kind"], name="search_entry_council")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
