"""A portal user's own data as one JSON document (RODO art. 15 access, art. 20 portability)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from okienko.cases.models import Case
from okienko.clients.models import ClientConsent
from okienko.core import audit, clock
from okienko.interactions.models import Interaction
from okienko.jobs.models import EmployerInvitation, EmployerMembership
from okienko.jobs.seekers.models import CV, ContactRequest, PortalAccount, ProfileView, SearchConsent
from okienko.jobs.seekers.signin import ACTOR

CV_FIELDS = (
    "pseudonym",
    "headline",
    "main_occupation",
    "education",
    "experience",
    "experience_years",
    "skills",
    "languages",
    "driving_licences",
    "available_from",
    "areas",
    "working_time",
    "created_at",
    "updated_at",
)


def my_data(account: PortalAccount) -> dict[str, Any]:
    """Everything the portal keeps about the account's person (the download is audited)."""
    data: dict[str, Any] = {
        "generated_at": clock.now().isoformat(),
        "account": {
            "kind": account.kind,
            "email": account.email,
            "email_verified_at": account.email_verified_at,
            "created_at": account.created_at,
        },
    }
    client = account.client
    if client is not None:
        data["client"] = {
            "number": client.number,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "pesel": client.pesel,
            "birth_date": client.birth_date,
            "street": client.street,
            "postal_code": client.postal_code,
            "city": client.city,
            "status": client.status,
            "home_office": client.home_office.name,
            "contacts": [{"kind": c.kind, "value": c.value} for c in client.contacts.all()],
        }
        data["consents"] = [
            {"topic": c.topic, "granted": c.granted, "given_at": c.given_at, "source": c.source}
            for c in ClientConsent.objects.filter(client=client)
        ]
        data["cases"] = [
            {"number": c.number, "status": c.status, "created_at": c.created_at, "description": c.description}
            for c in Case.objects.filter(client=client).order_by("created_at")
        ]
        data["contacts_history"] = [
            {"channel": i.channel, "started_at": i.started_at, "question": i.question}
            for i in Interaction.objects.filter(client=client).order_by("started_at")
        ]
        cv = CV.objects.filter(client=client).first()
        if cv is not None:
            data["cv"] = {name: getattr(cv, name) for name in CV_FIELDS}
            data["search_consents"] = [
                {"text_version": s.text_version, "granted_at": s.granted_at, "withdrawn_at": s.withdrawn_at}
                for s in SearchConsent.objects.filter(cv=cv).order_by("granted_at")
            ]
            data["contact_requests"] = [
                {"employer": r.employer.name, "status": r.status, "created_at": r.created_at, "message": r.message}
                for r in ContactRequest.objects.filter(cv=cv).select_related("employer").order_by("created_at")
            ]
            data["employer_views"] = [
                {"employer": v.employer.name, "viewed_at": v.viewed_at}
                for v in ProfileView.objects.filter(cv=cv).select_related("employer").order_by("viewed_at")
            ]
    if account.kind == PortalAccount.Kind.EMPLOYER:
        # The employers the user acts or acted for (``jobs.team``) and the invitation that made it so.
        data["employers"] = [
            {
                "employer": m.employer.name,
                "nip": m.employer.nip,
                "role": m.role,
                "active": m.active,
                "since": m.created_at,
            }
            for m in EmployerMembership.objects.filter(user_id=account.user_id).select_related("employer")
        ]
        data["invitations_accepted"] = [
            {"employer": i.employer.name, "role": i.role, "created_at": i.created_at, "accepted_at": i.accepted_at}
            for i in EmployerInvitation.objects.filter(accepted_by_id=account.user_id).select_related("employer")
        ]
    with transaction.atomic():
        audit.record(
            "jobs_seekers.data_exported",
            actor=ACTOR,
            obj=account,
            organisation_id=client.home_office_id if client is not None else None,
        )
    return data
