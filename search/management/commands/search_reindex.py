"""``chamber search_reindex [--kind K ...]``: rebuild the search index from the apps' rows."""

from django.core.management.base import BaseCommand, CommandError

from search.sources import registered_kinds, search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index (every kind, or those named with --kind)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", choices=registered_kinds())

    def handle(self, *args, kind=None, **options):
        try:
            written = search_reindex(kinds=kind)
        except KeyError as error:
            raise CommandError(str(error)) from error
        for name, count in written.items():
            self.stdout.write(f"{name}: {count}")
