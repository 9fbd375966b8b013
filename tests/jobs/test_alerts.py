"""Issue 19: employers' offers on the portal, saved searches with alerts (e-mail, SMS into the
file gateway, quiet hours, digest, unsubscribe link, STOP), offer ↔ CV scoring, EURES link."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation
from okienko.channels.models import SmsSender
from okienko.channels.sms import gateways, inbound
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from okienko.jobs import actions as job_actions
from okienko.jobs.alerts import actions, eures, scoring
from okienko.jobs.alerts.models import Alert, Frequency, SavedSearch
from okienko.jobs.models import JobOffer
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.seekers.models import PortalAccount
from okienko.jobs.states import OfferStatus
from okienko.notifications.models import Notification
from tests.jobs.helpers import TEST, employer, published, values
from tests.notifications.conftest import run_workers

pytestmark = pytest.mark.django_db
WARSAW_NOON = dt.datetime(2026, 3, 10, 11, 0, tzinfo=dt.UTC)  # 12:00 in Warsaw
WARSAW_NIGHT = dt.datetime(2026, 3, 10, 21, 30, tzinfo=dt.UTC)  # 22:30 in Warsaw


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def sms_root(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.OKIENKO_SMS_GATEWAY = "file"
    return tmp_path / "sms"


@pytest.fixture
def seeker(office: Organisation) -> Client:
    return client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna",
        last_name="Zielińska",
        emails=["anna@example.org"],
        phones=["600100200"],
        status=Client.Status.JOB_SEEKER,
    )


def _as(http: HttpClient, account: PortalAccount) -> HttpClient:
    session = http.session
    session["okienko.portal_account"] = account.pk
    session.save()
    return http


def _sms(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((root / "outbox").glob("*.json"))]


def _save(seeker: Client, **kw: Any) -> SavedSearch:
    options: dict[str, Any] = {"by_email": True, "by_sms": False, "frequency": Frequency.AT_ONCE} | kw
    filters = options.pop("filters", {"occupation": "8332", "area": "20"})
    return actions.save_search(
        account=seeker_actions.account_for_client(seeker), name="Kierowca", filters=filters, **options
    )


# --- employer posting -------------------------------------------------------------------------


def test_employer_posts_an_offer_that_waits_for_moderation(office: Organisation, client: HttpClient) -> None:
    company = employer(office, verified=False)
    account = seeker_actions.register_employer_user(
        email="hr@example.org",
        password="Bardzo-tajne-haslo-2026",
        nip="5260250995",
        company="Inna Firma",
        office=office,
        locality="Białystok",
        teryt_code="2061011",
    )
    company = seeker_actions.employer_of(account) or company
    _as(client, account)
    data = {
        k: (str(v) if not isinstance(v, list) else ",".join(v))
        for k, v in values().items()
        if k not in ("latitude", "longitude", "description")
    }
    data |= {"description": "Przewóz towarów", "shifts": "one", "pay_period": "month", "posts": "1"}
    data |= {"work_mode": "on_site", "contact_preference": "U", "driving_licences": "C, CE"}
    suggested = client.post("/konto/oferty/nowa/", data | {"intent": "suggest"})
    assert suggested.status_code == 200
    missing_pay = client.post("/konto/oferty/nowa/", data | {"intent": "submit", "pay_min": ""})
    assert missing_pay.status_code == 400
    response = client.post("/konto/oferty/nowa/", data | {"intent": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    offer = JobOffer.objects.get(employer=company)
    assert offer in JobOffer.objects.in_moderation()
    page = client.get(f"/konto/oferty/{offer.uuid}/")
    assert "awaiting moderation" in page.content.decode() or "moderacj" in page.content.decode()
    job_actions.approve_offer(actor=TEST, offer=offer, occupation_code="833201")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert not offer.verified
    assert client.post(f"/konto/oferty/{offer.uuid}/wycofaj/").status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN


# --- alerts -----------------------------------------------------------------------------------


def test_alert_at_once_by_sms_and_email(office: Organisation, seeker: Client, sms_root: Path) -> None:
    search = _save(seeker, by_sms=True)
    with time_machine.travel(WARSAW_NOON, tick=False):
        offer = published(office)
        run_workers()
    alert = Alert.objects.get(search=search, offer=offer)
    assert alert.sent_at is not None
    [sms] = _sms(sms_root)
    assert sms["to"] == "+48600100200"
    assert "STOP" in sms["text"]
    [message] = mail.outbox
    assert offer.title in message.body
    assert "/alerty/wypisz/" in message.body


def test_quiet_hours_defer_sms(office: Organisation, seeker: Client, sms_root: Path) -> None:
    _save(seeker, by_sms=True, by_email=False)
    with time_machine.travel(WARSAW_NIGHT, tick=False):
        published(office)
        run_workers()
        assert not _sms(sms_root) if (sms_root / "outbox").exists() else True
        [note] = Notification.objects.filter(channel="sms")
        assert note.status == Notification.Status.QUEUED
        assert note.available_at == dt.datetime(2026, 3, 11, 7, 0, tzinfo=dt.UTC)  # 8:00 in Warsaw
    with time_machine.travel(dt.datetime(2026, 3, 11, 7, 1, tzinfo=dt.UTC), tick=False):
        run_workers()
    assert len(_sms(sms_root)) == 1


def test_daily_digest(office: Organisation, seeker: Client, sms_root: Path) -> None:
    search = _save(seeker, frequency=Frequency.DAILY)
    with time_machine.travel(WARSAW_NOON, tick=False):
        published(office)
        published(office, title="Kierowca autobusu (k/m)")
        run_workers()
        assert not mail.outbox
        assert actions.send_digests() == 1
        run_workers()
    [message] = mail.outbox
    assert "Kierowca autobusu" in message.body
    assert "ciężarowego" in message.body
    assert not Alert.objects.filter(search=search, sent_at__isnull=True).exists()
    assert actions.send_digests() == 0


def test_filters_that_do_not_match(office: Organisation, seeker: Client, sms_root: Path) -> None:
    _save(seeker, filters={"occupation": "2512", "area": "20"})
    _save(seeker, filters={"occupation": "8332", "area": "14"})
    _save(seeker, filters={"occupation": "8332", "pay_min": "9000"})
    hit = _save(seeker, filters={"q": "kierowca", "contract": ["employment_indefinite"], "pay_min": "7000"})
    with time_machine.travel(WARSAW_NOON, tick=False):
        offer = published(office)
        run_workers()
    assert list(Alert.objects.filter(offer=offer).values_list("search", flat=True)) == [hit.pk]


def test_unsubscribe_link(office: Organisation, seeker: Client, client: HttpClient, sms_root: Path) -> None:
    search = _save(seeker)
    with time_machine.travel(WARSAW_NOON, tick=False):
        published(office)
        run_workers()
    link = re.search(r"(/alerty/wypisz/[^/\s]+/)", str(mail.outbox[0].body))
    assert link is not None
    # A mail scanner opening the link changes nothing: GET only asks, the button POSTs.
    assert "<form" in client.get(link.group(1)).content.decode()
    search.refresh_from_db()
    assert search.active
    assert client.post(link.group(1)).status_code == 200
    search.refresh_from_db()
    assert not search.active
    assert client.get("/alerty/wypisz/forged-token/").status_code == 400
    assert client.post("/alerty/wypisz/forged-token/").status_code == 400
    with time_machine.travel(WARSAW_NOON + dt.timedelta(hours=1), tick=False):
        published(office)
        run_workers()
    assert len(mail.outbox) == 1


def test_stop_keyword_turns_sms_alerts_off(office: Organisation, seeker: Client, sms_root: Path) -> None:
    search = _save(seeker, by_sms=True)
    SmsSender.objects.create(organisation=office, name="PUPTest", number="+48500100200")
    inbox = sms_root / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "stop.txt").write_text("From: +48 600 100 200\nSTOP", "utf-8")
    inbound.process(gateways.FileGateway().receive())
    run_workers()
    search.refresh_from_db()
    assert not search.by_sms


def test_saved_search_page(seeker: Client, client: HttpClient) -> None:
    account = seeker_actions.account_for_client(seeker)
    _as(client, account)
    assert client.get("/konto/alerty/?q=kierowca&area=20").status_code == 200
    response = client.post(
        "/konto/alerty/", {"name": "Kierowca", "q": "kierowca", "area": "20", "by_sms": "on", "frequency": "daily"}
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(account=account)
    assert saved.by_sms
    assert not saved.by_email
    assert saved.area == "20"
    bad = client.post("/konto/alerty/", {"name": "x", "frequency": "daily"})
    assert bad.status_code == 400


# --- scoring and EURES ------------------------------------------------------------------------


def test_score_explains(office: Organisation, seeker: Client) -> None:
    account = seeker_actions.account_for_client(seeker)
    cv = seeker_actions.save_cv(
        account=account,
        values={
            "experience": [{"title": "Kierowca", "occupation_code": "833201", "years": 3}],
            "driving_licences": ["B"],
            "areas": ["2061"],
        },
    )
    offer = published(office)
    scored = scoring.score(offer, cv)
    assert 0 < scored.score < 1
    assert "no driving licence cat. C" in scored.reasons or "brak prawa jazdy kat. C" in scored.reasons
    assert any("occupation" in r or "zawód" in r or "zawod" in r for r in scored.reasons)
    far = published(office, place_teryt="1465011", place_locality="Warszawa", occupation_code="251201")
    assert scoring.score(far, cv).score < scored.score
    top = scoring.offers_for_cv(cv)
    assert top[0][0] == offer


def test_eures_url() -> None:
    url = eures.search_url("833201")
    parts = urlparse(url)
    assert parts.scheme == "https"
    assert parts.netloc == "europa.eu"
    assert parse_qs(parts.query)["occupationUris"] == ["http://data.europa.eu/esco/isco/C8332"]
    assert eures.search_url("") == ""
    assert eures.search_url("12") == ""
    assert eures.esco_for("411003") is not None


def test_matching_pages(office: Organisation, seeker: Client, client: HttpClient) -> None:
    account = seeker_actions.account_for_client(seeker)
    seeker_actions.save_cv(
        account=account, values={"experience": [{"title": "Kierowca", "occupation_code": "833201", "years": 3}]}
    )
    published(office)
    page = _as(client, account).get("/konto/oferty-dla-mnie/")
    assert page.status_code == 200
    assert 'target="_blank"' in page.content.decode()


def test_one_click_unsubscribe_needs_no_csrf_token(office: Organisation, seeker: Client) -> None:
    """RFC 8058: the mail provider POSTs ``List-Unsubscribe=One-Click`` to the link, without our
    cookies or a CSRF token; the signed link alone stops the alerts (and the audit says how)."""
    search = _save(seeker)
    token = actions.unsubscribe_token(search)
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(f"/alerty/wypisz/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    search.refresh_from_db()
    assert not search.active
    record = AuditRecord.objects.get(action="jobs_alerts.unsubscribed")
    assert record.data == {"how": "one-click"}
    assert http.put(f"/alerty/wypisz/{token}/").status_code == 405


def test_alert_email_offers_the_mail_providers_one_click_unsubscribe(
    office: Organisation, seeker: Client, sms_root: Path
) -> None:
    """RFC 2369/8058 headers on the alert e-mail: the provider's "unsubscribe" button POSTs
    ``List-Unsubscribe=One-Click`` to the same signed link the text carries."""
    search = _save(seeker)
    with time_machine.travel(WARSAW_NOON, tick=False):
        published(office)
        run_workers()
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header.strip("<>")
    assert link in message.body
    response = HttpClient(enforce_csrf_checks=True).post(
        urlparse(link).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    search.refresh_from_db()
    assert not search.active


def test_searches_of_one_office_share_one_event_and_each_gets_its_message(
    office: Organisation, seeker: Client, sms_root: Path
) -> None:
    from okienko.core.models import OutboxEvent
    from okienko.notifications import job_alerts

    other = client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Jan",
        last_name="Nowak",
        emails=["jan@example.org"],
        phones=["600100300"],
        status=Client.Status.JOB_SEEKER,
    )
    first, second = _save(seeker, by_sms=True), _save(other, by_sms=True)
    with time_machine.travel(WARSAW_NOON, tick=False):
        offer = published(office)
        run_workers()
    due = OutboxEvent.objects.get(topic=actions.TOPIC_DUE)
    assert sorted(pair[0] for pair in due.payload["due"]) == sorted([first.pk, second.pk])
    assert Alert.objects.filter(offer=offer, sent_at__isnull=False).count() == 2
    assert sorted(m["to"] for m in _sms(sms_root)) == ["+48600100200", "+48600100300"]
    job_alerts.on_alerts_due(due)  # a delivery retried after a crash sends nothing again
    assert len(_sms(sms_root)) == 2
    assert Notification.objects.filter(key__startswith=f"job-alert:{due.id}:").count() >= 2


def test_the_workers_index_takes_new_searches_and_drops_stopped_ones(office: Organisation, seeker: Client) -> None:
    from okienko.jobs.alerts import matching

    first = _save(seeker)
    published(office)
    run_workers()  # matching builds the process's index with the first search
    assert matching._index.peek("all") is not None
    second = _save(seeker, filters={"occupation": "833201"})
    actions.unsubscribe(first)
    offer = published(office, title="Kierowca ciągnika siodłowego (k/m)")
    run_workers()
    assert set(Alert.objects.filter(offer=offer).values_list("search_id", flat=True)) == {second.pk}
