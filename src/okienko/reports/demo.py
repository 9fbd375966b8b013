"""Demo: the rollups of the demo cases (the outbox keeps them current afterwards) and the hot spots
the early warning flags in them (the hourly task keeps looking)."""

from __future__ import annotations

from typing import TextIO

from okienko.reports import rollups

VERSION = 4


def load(stdout: TextIO) -> None:
    from okienko.accounts.models import Organisation
    from okienko.reports import hotspots
    from okienko.reports.models import ReportSubscription

    stdout.write(f"reports: {rollups.rebuild_all()} rollup rows\n")
    stdout.write(f"reports: {len(hotspots.run())} new hot spots\n")
    city = Organisation.objects.filter(kind=Organisation.Kind.CITY).order_by("pk").first()
    if city is not None:
        for frequency, name in (
            ("weekly", "Raport tygodniowy dla prezydenta miasta"),
            ("monthly", "Raport miesięczny"),
        ):
            ReportSubscription.objects.get_or_create(
                organisation=city,
                frequency=frequency,
                defaults={"name": name, "recipients": "prezydent@urzad.example\nsekretarz@urzad.example"},
            )
