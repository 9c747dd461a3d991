"""``chamber verify-council <council>``: check a council's chains outside its sessions — its own
log (petitions, answers and other work between sittings: meeting.council_log) and its
credential log (meeting.credentials). ``--all``: every council."""

from django.core.management.base import BaseCommand, CommandError

from meeting.council_log import CouncilLogHead, verify_council_log
from meeting.credentials import verify_credential_chain
from meeting.models import Council


class Command(BaseCommand):
    help = "Verify a council's own log and credential log (hash chains)."

    def add_arguments(self, parser):
        parser.add_argument("council", type=int, nargs="?", help="the council's id")
        parser.add_argument("--all", action="store_true", help="every council")

    def handle(self, *args, council: int | None = None, all: bool = False, **options):
        if all:
            councils = list(Council.objects.order_by("pk"))
        elif council is not None:
            councils = list(Council.objects.filter(pk=council))
            if not councils:
                raise CommandError(f"no council {council}")
        else:
            raise CommandError("give a council id, or --all")
        failed = 0
        for found in councils:
            problems = verify_council_log(found.pk) + verify_credential_chain(found.pk)
            for problem in problems:
                self.stderr.write(f"FAIL council {found.pk}: {problem}")
            if problems:
                failed += 1
                continue
            head = CouncilLogHead.objects.filter(pk=found.pk).first()
            count, last = (head.count, head.head) if head else (0, "0" * 64)
            self.stdout.write(f"OK council {found.pk} «{found.name}»: {count} entries, {last}")
        if failed:
            raise CommandError(f"{failed} council(s) with problems in their logs")
