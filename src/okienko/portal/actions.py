"""Writes of the public portal: a resident's report becomes a case; a deflection is counted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from okienko.cases import actions as case_actions
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.core import audit, clock
from okienko.core.actors import PORTAL
from okienko.knowledge.models import Article
from okienko.portal.models import Deflection

# How the portal appears as the actor in the audit log and the case timeline (no staff user).
PUBLIC_ACTOR = PORTAL  # the audit log names it "portal"


def submit_report(
    *,
    service: Service,
    description: str,
    location: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
    reporter: Mapping[str, str] | None = None,
    contact_consent: bool = False,
    photo: UploadedFile | None = None,
) -> Case:
    """Open a case for a resident's report from the public site (channel ``web``), in one transaction.

    Contact details are kept only with the consent to be contacted. A photo is stored as a
    non-public case attachment, checked like every case attachment.
    """
    with transaction.atomic():
        case = case_actions.open_case(
            actor=PUBLIC_ACTOR,
            organisation=service.organisation,
            service=service,
            description=description,
            channel="web",
            reporter=dict(reporter or {}) if contact_consent else None,
            location=location,
            answers=answers,
            as_client=True,
        )
        if photo is not None:
            case_actions.add_attachment(
                actor=PUBLIC_ACTOR, case=case, name=photo.name or "photo", data=photo.read(), as_client=True
            )
        audit.record(
            "portal.report_submitted",
            actor=PUBLIC_ACTOR,
            obj=case,
            organisation_id=case.organisation_id,
            data={"service": service.code, "photo": photo is not None, "contact_consent": contact_consent},
        )
    return case


def record_deflection(*, article: Article, service: Service | None = None) -> Deflection:
    """Count that a suggested article answered a resident's question and no report was filed.

    Anonymous, high-volume telemetry like the search log and feedback: no audit entry (ADR 0024).
    """
    return Deflection.objects.create(article=article, service=service, at=clock.now())
