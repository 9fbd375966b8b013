"""Demo: the rollups of the demo cases (the outbox keeps them current afterwards) and the hot spots
the early warning flags in them (the hourly task keeps looking)."""

from __future__ import annotations

from typing import TextIO

from okienko.reports import rollups

VERSION = 6


def load(stdout: TextIO) -> None:
    from okienko.accounts.models import Organisation
    from okienko.reports import hotspots
    from okienko.reports.models import ReportSubscription

    cluster = _cluster()
    stdout.write(f"reports: {rollups.rebuild_all()} rollup rows\n")
    stdout.write(f"reports: {len(hotspots.run())} new hot spots ({cluster} demo cases in a cluster)\n")
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
    _saved_report(stdout)


def _saved_report(stdout: TextIO) -> None:
    """An ad hoc report the analyst saved and shared with their office: the last year's cases by
    service and month (issue 20, item 5)."""
    import datetime as dt

    from okienko.accounts.models import Membership, User
    from okienko.core import clock
    from okienko.reports.adhoc import parse
    from okienko.reports.adhoc_models import SavedReport

    analyst = User.objects.filter(username="analityk").first()
    memberships = Membership.objects.filter(user=analyst).select_related("organisation")
    membership = memberships.filter(organisation__code="lodz").first() or memberships.first()
    if analyst is None or membership is None:
        return
    today = clock.now().astimezone(clock.WARSAW).date()
    definition = parse(
        {
            "source": "cases",
            "since": (today - dt.timedelta(days=365)).isoformat(),
            "until": today.isoformat(),
            "group_by": ["service", "month"],
            "measures": ["count", "closed", "mean_hours", "past_deadline"],
        }
    )
    now = clock.now()
    _report, made = SavedReport.objects.get_or_create(
        owner=analyst,
        name="Sprawy według usługi i miesiąca (ostatni rok)",
        defaults={
            "organisation": membership.organisation,
            "definition": definition.as_json(),
            "shared": SavedReport.Sharing.ORGANISATION,
            "created_at": now,
            "updated_at": now,
        },
    )
    stdout.write(f"reports: {int(made)} saved ad hoc report\n")


CLUSTER = (51.7547, 19.4412)  # by Park Poniatowskiego: a week's run of one matter for the early warning


def _cluster() -> int:
    """Seven cases of one matter at one place over the last three days (once), so that the early
    warning has a hot spot to show; opened through the cases app like any other."""
    import datetime as dt

    from django.db.models import Count, F

    from okienko.accounts.models import Organisation, User
    from okienko.cases import actions
    from okienko.cases.models import Case
    from okienko.catalogue.models import Service

    lodz = Organisation.objects.filter(code="lodz").first()
    consultant = User.objects.filter(username="konsultant.lodz").first()
    if lodz is None or consultant is None or Case.objects.filter(address__startswith="Park Poniatowskiego").exists():
        return 0
    busiest = (
        Case.objects.filter(organisation=lodz, latitude__isnull=False)
        .values("service_id")
        .annotate(n=Count("id"))
        .order_by("-n", "service_id")
        .first()
    )
    service = Service.objects.filter(pk=busiest["service_id"]).first() if busiest else None
    if service is None:
        return 0
    answers: dict[str, object] = {}
    for question in service.questions.filter(required=True).exclude(datatype="notice").prefetch_related("choices"):
        first = question.choices.first()
        if question.datatype in ("singlevaluelist", "multivaluelist") and first:
            answers[question.code] = first.key if question.datatype == "singlevaluelist" else [first.key]
        elif question.datatype == "number":
            answers[question.code] = "1"
        else:
            answers[question.code] = "nie dotyczy"
    for i in range(7):
        case = actions.open_case(
            actor=consultant,
            organisation=lodz,
            service=service,
            description="Zgłoszenie z okolic parku (dane demonstracyjne).",
            channel="phone",
            reporter={"name": "", "phone": ""},
            location={
                "latitude": f"{CLUSTER[0] + 0.0004 * (i % 3):.6f}",
                "longitude": f"{CLUSTER[1] + 0.0005 * (i % 2):.6f}",
                "gmina_code": "1061011",
                "address": f"Park Poniatowskiego {i + 1}, Łódź",
            },
            answers=answers,
        )
        Case.objects.filter(pk=case.pk).update(created_at=F("created_at") - dt.timedelta(hours=10 * i))
    return 7
