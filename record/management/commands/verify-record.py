"""``chamber verify-record <session>``: check the chain and recount every tally; also the
council's credential log (badge sheets and sign-ins, meeting.credentials) and the council's own
log (petitions and other work outside sessions, meeting.council_log)."""

from django.core.management.base import BaseCommand, CommandError

from meeting.council_log import verify_council_log
from meeting.credentials import verify_credential_chain
from meeting.models import Session
from record.verify import verify_session


class Command(BaseCommand):
    help = "Verify a session's record: the hash-chained log and every poll's tally."

    def add_arguments(self, parser):
        parser.add_argument("session", type=int, help="the session's id")
        parser.add_argument(
            "--final-hash",
            help="the final hash printed on the signed minutes: the chain must end with it",
        )

    def handle(self, *args, session: int, final_hash: str | None = None, **options):
        found = Session.objects.filter(pk=session).first()
        if found is None:
            raise CommandError(f"no session {session}")
        problems = (
            verify_session(found.pk, final_hash=final_hash)
            + verify_credential_chain(found.council_id)
            + verify_council_log(found.council_id)
        )
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(f"session {found.pk}: {len(problems)} problem(s) in the record")
        self.stdout.write(f"OK session {found.pk} «{found.title}»: final hash {found.log_head}")
