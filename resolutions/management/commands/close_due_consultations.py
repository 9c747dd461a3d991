"""``chamber close_due_consultations``: close and count every written consultation whose
deadline has passed, once.

Every server process already does this at each deadline (resolutions.clock); this is for a
cron job where no server runs, or after a long stop. Running it again closes nothing twice.
"""

from django.core.management.base import BaseCommand

from resolutions.services.consultation import close_due_consultations


class Command(BaseCommand):
    help = "Close and count the written consultations whose deadline has passed (each once)."

    def handle(self, *args, **options):
        closed = close_due_consultations()
        self.stdout.write(f"{closed} consultation(s) closed")
