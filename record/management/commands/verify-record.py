"""``chamber verify-record <session>``: check the chain and recount every tally; also the
council's credential log (badge sheets and sign-ins, meeting.credentials), the council's own
log (petitions and other work outside sessions, meeting.council_log) and what it records of
the council's decisions (resolutions adopted, consultations counted: resolutions.verify).

``chamber verify-record --council <id>``: a council's decisions between sessions, without a
session (its own log and the resolutions and consultations it records)."""

from django.core.management.base import BaseCommand, CommandError

from meeting.council_log import verify_council_log
from meeting.credentials import verify_credential_chain
from meeting.models import Council, Session
from record.verify import verify_session
from resolutions.verify import verify_council


class Command(BaseCommand):
    help = "Verify a session's record: the hash-chained log and every poll's tally."

    def add_arguments(self, parser):
        parser.add_argument("session", type=int, nargs="?", help="the session's id")
        parser.add_argument(
            "--final-hash",
            help="the final hash printed on the signed minutes: the chain must end with it",
        )
        parser.add_argument(
            "--council",
            type=int,
            help="verify the council's resolutions and consultations (no session needed)",
        )

    def handle(
        self, *args, session: int | None = None, final_hash: str | None = None,
        council: int | None = None, **options,
    ):
        if session is None:
            if council is None:
                raise CommandError("give a session's id, or --council <id>")
            found = Council.objects.filter(pk=council).first()
            if found is None:
                raise CommandError(f"no council {council}")
            problems = verify_council_log(found.pk) + verify_council(found.pk)
            self._answer(problems, f"council {found.pk}", f" «{found.name}»")
            return
        found = Session.objects.filter(pk=session).first()
        if found is None:
            raise CommandError(f"no session {session}")
        problems = (
            verify_session(found.pk, final_hash=final_hash)
            + verify_credential_chain(found.council_id)
            + verify_council_log(found.council_id)
            + verify_council(found.council_id)
        )
        self._answer(
            problems, f"session {found.pk}", f" «{found.title}»: final hash {found.log_head}"
        )

    def _answer(self, problems: list[str], label: str, verified: str) -> None:
        # The council's chain is checked by its own check and again by resolutions.verify:
        # one problem, said once.
        problems = list(dict.fromkeys(problems))
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(f"{label}: {len(problems)} problem(s) in the record")
        self.stdout.write(f"OK {label}{verified}")
