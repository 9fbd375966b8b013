"""Bounded fuzzing of the job-offer surfaces: the public search page and API with hostile filters
(FTS syntax, out-of-range numbers, control characters), the desk's moderation, registration and
employer forms, and odd addresses — never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation, User
from okienko.jobs import actions
from okienko.jobs.models import JobOffer
from tests.jobs.helpers import TEST, employer, published, values
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=60))
SETTINGS = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def world(region: Organisation, make_user: Callable[..., User]) -> dict[str, Any]:
    office = Organisation.objects.get(code="pup-a")
    emp = employer(office, verified=False)
    offer = actions.create_offer(actor=TEST, employer=emp, values=values())
    actions.submit_offer(actor=TEST, offer=offer)
    published(office)
    return {"offer": offer, "employer": emp, "user": make_user("mod", roles=[(office, "consultant")])}


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@SETTINGS
@given(
    q=HOSTILE,
    area=HOSTILE,
    near=HOSTILE,
    km=HOSTILE,
    occupation=HOSTILE,
    contract=st.lists(HOSTILE, max_size=3),
    working_time=HOSTILE,
    pay_min=HOSTILE,
    verified=HOSTILE,
    page=HOSTILE,
)
def test_public_search_and_api(world: dict[str, Any], **params: Any) -> None:
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    _ok(http.get("/oferty/", params))
    answer = http.get("/api/v1/jobs/offers/", params)
    _ok(answer)
    if answer.status_code == 400:
        assert answer["Content-Type"].startswith("application/problem+json")


@SETTINGS
@given(decision=HOSTILE, occupation_code=HOSTILE, reason=HOSTILE, status=HOSTILE, page=HOSTILE)
def test_desk_moderation(
    world: dict[str, Any], decision: str, occupation_code: str, reason: str, status: str, page: str
) -> None:
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    http.force_login(world["user"])
    offer: JobOffer = world["offer"]
    _ok(http.get("/desk/jobs/moderation/", {"status": status, "page": page}))
    _ok(
        http.post(
            f"/desk/jobs/offers/{offer.uuid}/",
            {"decision": decision, "occupation_code": occupation_code, "reason": reason},
        )
    )
    _ok(http.post(f"/desk/jobs/employers/{world['employer'].uuid}/status", {"status": status, "reason": reason}))
    _ok(http.get("/desk/jobs/employers/", {"status": status, "page": page}))


@SETTINGS
@given(
    title=HOSTILE,
    nip=HOSTILE,
    pay_min=HOSTILE,
    pay_max=HOSTILE,
    valid_until=HOSTILE,
    teryt=HOSTILE,
    description=HOSTILE,
    latitude=HOSTILE,
)
def test_desk_registration_forms(
    world: dict[str, Any],
    title: str,
    nip: str,
    pay_min: str,
    pay_max: str,
    valid_until: str,
    teryt: str,
    description: str,
    latitude: str,
) -> None:
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    http.force_login(world["user"])
    form = {k: v for k, v in values().items() if not isinstance(v, list)}
    form.update(
        employer=world["employer"].pk,
        title=title,
        pay_min=pay_min,
        pay_max=pay_max,
        valid_until=valid_until,
        place_teryt=teryt,
        description=description,
        latitude=latitude,
        posts=1,
        shifts="one",
        work_mode="on_site",
        pay_period="month",
        contact_preference="U",
        driving_licences=title,
    )
    _ok(http.post("/desk/jobs/offers/new/", form))
    _ok(http.post("/desk/jobs/employers/", {"name": title, "nip": nip, "locality": teryt, "teryt_code": teryt}))


@pytest.mark.parametrize(
    "path",
    [
        "/oferty/00000000-0000-0000-0000-000000000000/",
        "/oferty/not-a-uuid/",
        "/desk/jobs/offers/00000000-0000-0000-0000-000000000000/",
        "/desk/jobs/offers/not-a-uuid/",
        "/desk/jobs/employers/00000000-0000-0000-0000-000000000000/status",
        "/api/v1/jobs/offers/00000000-0000-0000-0000-000000000000/",
        "/api/v1/jobs/offers/not-a-uuid/",
        "/desk/jobs/export/cbop.json",
    ],
)
def test_odd_addresses(world: dict[str, Any], path: str) -> None:
    signed_in = Client()
    signed_in.force_login(world["user"])
    for http in (Client(), signed_in):
        _ok(http.get(path))
        _ok(http.post(path, {}))


@pytest.mark.parametrize(
    "path",
    [
        "/konto/oferty/00000000-0000-0000-0000-000000000000/",
        "/konto/oferty/00000000-0000-0000-0000-000000000000/wycofaj/",
        "/konto/oferty/00000000-0000-0000-0000-000000000000/kandydaci/",
        "/konto/oferty/not-a-uuid/",
        "/konto/kandydaci/00000000-0000-0000-0000-000000000000/",
        "/konto/prosby/00000000-0000-0000-0000-000000000000/",
        "/konto/alerty/00000000-0000-0000-0000-000000000000/usun/",
        "/alerty/wypisz/%00/",
        "/alerty/wypisz/..%2F..%2Fetc/",
        "/konto/moje-dane.json",
        "/deklaracja-dostepnosci/",
    ],
)
def test_odd_portal_account_addresses(world: dict[str, Any], path: str) -> None:
    """The portal's account addresses with made-up or broken ids, for nobody, a member of staff
    (nobody on the portal), a job seeker and the (unverified) employer's user."""
    from okienko.clients import actions as client_actions
    from okienko.jobs.models import EmployerMembership
    from okienko.jobs.seekers import actions as seeker_actions
    from okienko.jobs.seekers.models import PortalAccount

    office = world["employer"].office
    person = client_actions.register_client(actor=None, home_office=office, first_name="Odd", last_name="Address")
    seeker = seeker_actions.account_for_client(person)
    boss = User.objects.create(username="odd-boss")
    EmployerMembership.objects.create(employer=world["employer"], user=boss)
    employer_account = PortalAccount.objects.create(user=boss, kind=PortalAccount.Kind.EMPLOYER)
    staff = Client()
    staff.force_login(world["user"])
    callers = [Client(), staff]
    for account in (seeker, employer_account):
        http = Client()
        session = http.session
        session["okienko.portal_account"] = account.pk
        session.save()
        callers.append(http)
    for http in callers:
        http.raise_request_exception = False
        _ok(http.get(path))
        _ok(http.post(path, {}))
