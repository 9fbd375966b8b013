from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from okienko.core import events
from okienko.core.models import OutboxDelivery


class Command(BaseCommand):
    help = "Show the event outbox, deliver due events now, or replay dead letters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deliver", action="store_true", help="Deliver due events in this process.")
        parser.add_argument("--replay", action="store_true", help="Put dead letters back in the queue.")
        parser.add_argument("--subscriber", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["replay"]:
            count = events.replay_dead(subscriber_name=options["subscriber"])
            self.stdout.write(f"replayed {count} dead letters")
        if options["deliver"]:
            self.stdout.write(f"attempted {events.deliver_due()} deliveries")
        rows = (
            OutboxDelivery.objects.values("subscriber", "status")
            .annotate(n=Count("id"))
            .order_by("subscriber", "status")
        )
        for row in rows:
            self.stdout.write(f"{row['subscriber']:60} {row['status']:8} {row['n']}")
