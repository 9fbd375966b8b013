"""The client card's panel for consultants: portal accounts, the CV, the consent to be found,
employers' requests for contact and views of the CV (issue 19, item 9). Shown to staff who may
see the client's personal data in the client's office; each showing of a CV is logged as an
access to personal data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import audit, panels
from okienko.jobs.seekers.models import CV, Application, ContactRequest, PortalAccount, ProfileView, SearchConsent


def client_cv(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    if not access.has_perm_in(request.user, Perm.CLIENTS_VIEW, client.home_office):
        return None
    accounts = list(PortalAccount.objects.filter(client=client).order_by("pk"))
    cv = CV.objects.filter(client=client).select_related("consent").first()
    if cv is None and not accounts:
        return None
    context: dict[str, Any] = {
        "client": client,
        "accounts": accounts,
        "cv": cv,
        "totp_on": set(
            TOTPDevice.objects.filter(user_id__in=[a.user_id for a in accounts], confirmed=True).values_list(
                "user_id", flat=True
            )
        ),
        "may_reset": access.has_perm_in(request.user, Perm.CLIENTS_EDIT, client.home_office),
    }
    if cv is not None:
        audit.record_access(request.user, cv, organisation_id=client.home_office_id, purpose="client card: CV")
        context["consents"] = list(SearchConsent.objects.filter(cv=cv)[:10])
        context["requests"] = list(ContactRequest.objects.filter(cv=cv).select_related("employer")[:20])
        context["views"] = list(ProfileView.objects.filter(cv=cv).select_related("employer")[:20])
        context["applications"] = list(
            Application.objects.filter(cv=cv).select_related("offer", "offer__employer")[:20]
        )
    return context


def register_panels() -> None:
    panels.register(
        panels.Panel(
            slot=panels.CLIENT_CARD,
            name="jobs_seekers.cv",
            template="jobs_seekers/panels/client_cv.html",
            context=client_cv,
            order=60,
        )
    )
