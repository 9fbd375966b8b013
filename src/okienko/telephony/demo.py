"""Demo phone queues: one per county labour office of the Podlaskie region, overflowing to the
regional office's queue and then to a callback; the regional queue; the Łódź contact centre's
queue, overflowing to voicemail. Consultants answer their own office's queue at once and the
other offices' of the region after 30 s (``directory.agent_queues``). Idempotent (by code)."""

from __future__ import annotations

from typing import Any

from okienko.accounts.models import Organisation
from okienko.telephony.models import PhoneQueue, Strategy

VERSION = 2

REGION = "wup-bialystok"
CITY_CENTRE = "lodz-ckzm"


def queue_code(office: str) -> str:
    """The queue of an office's phone line (the IVR's ``{office}`` resolves to it)."""
    return f"tel-{office}"


def load(*, stdout: Any) -> None:
    region = Organisation.objects.filter(code=REGION).first()
    if region is not None:
        _queue(region, f"{region.name} — informacja", overflow_after=180, overflow=["callback"])
        for office in Organisation.objects.filter(parent=region, code__startswith="pup-").order_by("code"):
            _queue(
                office,
                f"{office.name} — infolinia",
                overflow_after=90,
                overflow=[queue_code(region.code), "callback"],
            )
    centre = Organisation.objects.filter(code=CITY_CENTRE).first()
    if centre is not None:
        _queue(
            centre,
            "Łódź — Centrum Kontaktu",
            overflow_after=120,
            overflow=["voicemail"],
            strategy=Strategy.LONGEST_IDLE,
        )
    stdout.write(f"demo: {PhoneQueue.objects.count()} phone queues")
    from okienko.telephony import media_demo

    media_demo.load(stdout=stdout)  # prompts, voicemail boxes, a recording (issue 16)


def _queue(
    office: Organisation, name: str, *, overflow_after: int, overflow: list[str], strategy: str = Strategy.BALANCED
) -> None:
    PhoneQueue.objects.update_or_create(
        code=queue_code(office.code),
        defaults={
            "organisation": office,
            "name": name[:200],
            "strategy": strategy,
            "overflow_after": overflow_after,
            "overflow": overflow,
            "tier_step": 30,
            "ring_timeout": 20,
            "wrap_up": 15,
            "service_level_seconds": 15,
            "service_level_target": 0.8,
        },
    )
