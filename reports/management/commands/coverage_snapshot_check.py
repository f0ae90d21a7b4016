"""Check nightly snapshots against the figures computed from the dated history for their dates."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reports.history import snapshot_differences
from reports.models import CoverageSnapshot


class Command(BaseCommand):
    help = ("Compare the coverage snapshots of some dates (the latest by default) with the figures computed from the "
            "history for those dates; fails when any differ.")

    def add_arguments(self, parser):
        parser.add_argument("dates", nargs="*", type=dt.date.fromisoformat, help="snapshot dates, yyyy-mm-dd")
        parser.add_argument("--all", action="store_true", help="every snapshot date")

    def handle(self, *args, dates, all, **options):
        known = CoverageSnapshot.objects.order_by("-date").values_list("date", flat=True).distinct()
        if all:
            dates = list(known)
        elif not dates:
            dates = list(known[:1])
        bad = 0
        for day in dates:
            diffs = snapshot_differences(on=day)
            for d in diffs:
                self.stdout.write(f"{day} unit {d['unit_id']} requirement {d['requirement_id']}: "
                                  f"snapshot {d['snapshot']} history {d['history']}")
            self.stdout.write(f"{day}: {'agrees' if not diffs else f'{len(diffs)} line(s) differ'}")
            bad += len(diffs)
        if bad:
            raise CommandError(f"{bad} snapshot line(s) differ from the history")
