"""Filing a GeoReport service request: a case through ``cases.actions.open_case`` plus its
Open311 fields, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from okienko.accounts.models import Organisation
from okienko.accounts.tokens import ApiToken
from okienko.cases.actions import open_case
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceQuestion
from okienko.core import audit, clock
from okienko.integrations.open311.intake import ServiceRequestInput
from okienko.integrations.open311.models import Open311Intake, Open311Submission


def submit_service_request(
    *,
    api_token: ApiToken,
    jurisdiction: Organisation,
    service: Service,
    data: ServiceRequestInput,
    intake: Open311Intake | None = None,
    questions: Sequence[ServiceQuestion] | None = None,
) -> Case:
    """``intake``: the queued receipt this case comes from (its token becomes the case's token);
    ``questions``: the service's questions with choices, when the caller has them."""
    with audit.batch():  # one transaction; the audit chain is locked only at its end
        case = open_case(
            actor=api_token.user,
            organisation=jurisdiction,
            service=service,
            description=data.description,
            channel="web",
            reporter=data.reporter or None,
            location=data.location or None,
            answers=data.answers or None,
            media_url=data.media_url or None,
            questions=questions,
            external_token=intake.token if intake is not None else None,
        )
        submission = Open311Submission.objects.create(
            case=case,
            api_token=api_token,
            address_id=data.extra.get("address_id", ""),
            device_id=data.extra.get("device_id", ""),
            account_id=data.extra.get("account_id", ""),
            created_at=clock.now(),
        )
        queued: dict[str, str] = {}
        if intake is not None:
            queued = {"token": str(intake.token), "received_at": intake.received_at.isoformat()}
        audit.record(
            "open311.request_submitted",
            actor=api_token.user,
            obj=submission,
            organisation_id=jurisdiction.pk,
            data={"case": case.number, "api_token": api_token.prefix, **queued},
        )
    return case
