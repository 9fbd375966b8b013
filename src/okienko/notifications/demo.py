"""Demo data of the notification service.

The demo's cases were "registered", "resolved" and so on by the loaders before this one; telling
their made-up reporters now would fill ``var/mail`` with hundreds of messages about history, so
the notification subscribers' deliveries of those events are closed unsent. What happens after the
load — a case registered on the portal, a status changed on the desk — is told as usual.

Satisfaction answers for some finished demo cases fill the results page.
"""

from __future__ import annotations

import random
from typing import Any

from okienko.cases.models import Case
from okienko.cases.workflow import Status
from okienko.core import clock
from okienko.core.models import OutboxDelivery
from okienko.notifications.models import SurveyResponse

VERSION = 1

COMMENTS = [
    "",
    "",
    "Szybko i sprawnie, dziękuję.",
    "Dziura załatana, ale dopiero po trzech tygodniach.",
    "Nikt nie odpisał na moje pytanie.",
    "Bardzo miła obsługa na infolinii.",
    "Problem wrócił po kilku dniach.",
]


SMS_SENDERS = [("lodz", "UMLodz", "+48500100200", True), ("wup-bialystok", "WUPBialyst", "+48500100300", False)]


def load(stdout: Any) -> None:
    from okienko.accounts.models import Organisation
    from okienko.channels.models import SmsSender

    for code, name, number, transliterate in SMS_SENDERS:
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is not None:
            SmsSender.objects.get_or_create(
                organisation=organisation,
                defaults={"name": name, "number": number, "transliterate": transliterate},
            )
    closed = OutboxDelivery.objects.filter(
        subscriber__startswith="notifications.", status=OutboxDelivery.Status.PENDING
    ).update(status=OutboxDelivery.Status.DONE, last_error="demo history: not announced")
    rng = random.Random(13)  # noqa: S311 - the same made-up answers on every machine
    finished = list(
        Case.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED], survey_response__isnull=True)
        .select_related("organisation", "assigned_unit", "service")
        .order_by("id")[:60]
    )
    now = clock.now()
    answers = []
    for case in finished:
        if rng.random() < 0.4:
            continue  # not everybody answers
        rating = rng.choices([5, 4, 3, 2, 1], weights=[40, 25, 15, 10, 10])[0]
        answers.append(
            SurveyResponse(
                case=case,
                organisation=case.organisation,
                unit=case.assigned_unit,
                service=case.service,
                rating=rating,
                comment=rng.choice(COMMENTS),
                may_contact=rng.random() < 0.3,
                submitted_at=now,
            )
        )
    SurveyResponse.objects.bulk_create(answers, ignore_conflicts=True)
    stdout.write(f"  notifications: {closed} demo events left unannounced, {len(answers)} survey answers")
