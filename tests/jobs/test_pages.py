"""Portal offer pages (list with filters, detail with JSON-LD) and the desk's moderation per role."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from unittest import mock

import pytest
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.jobs import actions
from okienko.jobs.models import JobOffer
from okienko.jobs.states import EmployerStatus, OfferStatus
from tests.jobs.helpers import TEST, employer, published, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


def test_portal_lists_only_published_offers(client: Client, office: Organisation) -> None:
    shown = published(office, title="Magazynier (k/m)", occupation_code="432103")
    draft = actions.create_offer(actor=TEST, employer=employer(office), values=values(title="Tajna oferta"))
    page = client.get("/oferty/")
    assert page.status_code == 200
    text = page.content.decode()
    assert shown.title in text
    assert draft.title not in text
    assert client.get(f"/oferty/{draft.uuid}/").status_code == 404
    assert client.get("/oferty/", {"q": "magazynier", "area": "20"}).status_code == 200


def test_portal_offer_has_job_posting_json_ld(client: Client, office: Organisation) -> None:
    offer = published(office, description='<p>Opis</p><script>alert(1)</script> </script><a href="https://x.pl">x</a>')
    page = client.get(f"/oferty/{offer.uuid}/")
    assert page.status_code == 200
    text = page.content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.DOTALL)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == "JobPosting"
    assert data["title"] == offer.title
    assert data["baseSalary"]["value"]["minValue"] == 6000.0
    assert data["hiringOrganization"]["name"] == offer.employer.name
    assert "alert(1)" not in text


def test_portal_bad_filters_are_explained_not_500(client: Client, office: Organisation) -> None:
    for params in (
        {"area": "abc"},
        {"km": "x"},
        {"km": "10"},
        {"pay_min": "-5"},
        {"contract": "nope"},
        {"q": "kierowca\" OR NEAR(a b) * ^ -x '); DROP"},
        {"page": "99999"},
        {"near": "Nigdzie", "km": "10"},
    ):
        assert client.get("/oferty/", params).status_code == 200, params


def _staff(make_user: Callable[..., User], office: Organisation, role: str, name: str) -> User:
    return make_user(name, roles=[(office, role)])


def test_desk_moderation_per_role(
    client: Client, make_user: Callable[..., User], office: Organisation, region: Organisation
) -> None:
    emp = employer(office, verified=False)
    offer = actions.create_offer(actor=TEST, employer=emp, values=values(title="Zatrudnimy panie do 30 lat"))
    with mock.patch.object(actions, "suggestions", return_value=[{"code": "833201", "name": "Kierowca", "score": 0.8}]):
        actions.submit_offer(actor=TEST, offer=offer)
    other = Organisation.objects.get(code="pup-b")
    outsider = _staff(make_user, other, "consultant", "other")
    client.force_login(outsider)
    assert client.get(f"/desk/jobs/offers/{offer.uuid}/").status_code == 404
    analyst = _staff(make_user, office, "analyst", "analyst")
    client.force_login(analyst)
    assert client.get("/desk/jobs/moderation/").status_code == 403
    moderator = _staff(make_user, office, "consultant", "mod")
    client.force_login(moderator)
    queue = client.get("/desk/jobs/moderation/")
    assert queue.status_code == 200
    assert offer.title in queue.content.decode()
    detail = client.get(f"/desk/jobs/offers/{offer.uuid}/")
    assert "833201" in detail.content.decode()
    answer = client.post(
        f"/desk/jobs/offers/{offer.uuid}/", {"decision": "approve", "occupation_code": "833202", "reason": ""}
    )
    assert answer.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.occupation_code == "833202"
    assert offer.moderated_by == moderator
    assert client.post(f"/desk/jobs/employers/{emp.uuid}/status", {"status": "verified"}).status_code == 302
    emp.refresh_from_db()
    assert emp.status == EmployerStatus.VERIFIED
    export = client.get("/desk/jobs/export/cbop.json")
    assert export.status_code == 200
    body = json.loads(b"".join(export.streaming_content))  # type: ignore[attr-defined]
    assert body["oferty"][0]["kodZawodu"] == "833202"


def test_desk_registers_an_office_offer(client: Client, make_user: Callable[..., User], office: Organisation) -> None:
    emp = employer(office)
    client.force_login(_staff(make_user, office, "supervisor", "sup"))
    assert client.get("/desk/jobs/offers/new/").status_code == 200
    form = {k: v for k, v in values().items() if not isinstance(v, list)}
    form.update(employer=emp.pk, posts=2, shifts="one", work_mode="on_site", pay_period="month", contact_preference="U")
    form["driving_licences"] = "C, CE"
    answer = client.post("/desk/jobs/offers/new/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    offer = JobOffer.objects.get(employer=emp)
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.verified
    assert offer.driving_licences == ["C", "CE"]
    bad = dict(form, pay_min="9000", pay_max="100")
    assert client.post("/desk/jobs/offers/new/", bad).status_code == 200
