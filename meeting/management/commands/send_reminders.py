"""``chamber send_reminders``: e-mail what is due soon or overdue (meeting.reminders).

Run it once a day; running it again sends nothing twice.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meeting.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the e-mail reminders and overdue notices of every app (each one once)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="as_of", help="as if today were this day (YYYY-MM-DD)")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; send nothing"
        )

    def handle(self, *args, as_of: str | None = None, dry_run: bool = False, **options):
        today = None
        if as_of:
            try:
                today = date.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError(f"--date: {error}") from None
        report = send_reminders(today=today, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        for key in report.sent:
            self.stdout.write(f"{verb} {key}")
        for key in report.no_recipient:
            self.stderr.write(f"no address for {key}")
        for key in report.failed:
            self.stderr.write(f"FAILED {key}")
        self.stdout.write(
            f"{len(report.sent)} {verb}, {report.already_sent} already sent, "
            f"{len(report.no_recipient)} without an address, {len(report.failed)} failed"
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} reminder(s) could not be sent")
