"""Optional two-step verification (TOTP) for portal accounts (issue 19, item 1): turned on and off
by the account itself with a code from the app, asked for after the PIN or password, wrong codes
locked out like wrong PINs, and turned off by the client's office for a lost phone."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from okienko.jobs.seekers import totp as portal_totp
from okienko.jobs.seekers.models import PortalAccount

pytestmark = pytest.mark.django_db

PIN = "7913"


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def seeker(office: Organisation) -> Client:
    client = client_actions.register_client(
        actor=None, home_office=office, first_name="Anna", last_name="Zielińska", status=Client.Status.JOB_SEEKER
    )
    client_actions.set_pin(actor=None, client=client, pin=PIN)
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _signin(http: HttpClient, seeker: Client, pin: str = PIN, next_url: str = "") -> str:
    data = {"method": "pin", "pin-number": seeker.number, "pin-pin": pin}
    if next_url:
        data["next"] = next_url
    response = http.post("/konto/logowanie/", data)
    return str(response.headers.get("Location", response.status_code))


def _turn_on(http: HttpClient, seeker: Client) -> TOTPDevice:
    assert http.post("/konto/weryfikacja-dwuetapowa/", {"step": "start"}).status_code == 302
    page = http.get("/konto/weryfikacja-dwuetapowa/")
    body = page.content.decode()
    assert "data:image/svg+xml;base64," in body
    device = TOTPDevice.objects.get(user__portal_account__client=seeker, confirmed=False)
    response = http.post("/konto/weryfikacja-dwuetapowa/", {"step": "confirm", "token": _code(device)})
    assert response.status_code == 200, response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    return device


def _next_code(device: TOTPDevice) -> str:
    """A code the device has not used yet (django_otp refuses one code twice)."""
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save(update_fields=["last_t", "throttling_failure_count", "throttling_failure_timestamp"])
    return _code(device)


def test_an_account_turns_it_on_and_then_signing_in_asks_for_the_code(client: HttpClient, seeker: Client) -> None:
    assert _signin(client, seeker) == "/konto/"
    device = _turn_on(client, seeker)
    assert AuditRecord.objects.filter(action="jobs_seekers.totp_enabled").count() == 1

    http = HttpClient()
    assert _signin(http, seeker, next_url="/konto/cv/") == "/konto/logowanie/kod/"
    assert http.get("/konto/").status_code == 302  # not signed in before the code
    assert http.get("/konto/logowanie/kod/").status_code == 200
    response = http.post("/konto/logowanie/kod/", {"token": _next_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/konto/cv/"
    assert http.get("/konto/").status_code == 200
    signed = AuditRecord.objects.filter(action="jobs_seekers.signed_in").order_by("-pk").first()
    assert signed is not None
    assert signed.data == {"second_factor": True}


def test_a_wrong_code_is_refused_then_locked_and_never_logged(
    client: HttpClient, seeker: Client, settings: object
) -> None:
    _signin(client, seeker)
    _turn_on(client, seeker)
    http = HttpClient()
    _signin(http, seeker)
    for _ in range(4):
        response = http.post("/konto/logowanie/kod/", {"token": "000000"})
        assert response.status_code == 403
        assert 'id="id_token_error"' in response.content.decode()
    response = http.post("/konto/logowanie/kod/", {"token": "000000"})
    assert response.status_code == 403  # the fifth failure locks
    assert http.get("/konto/logowanie/kod/").status_code == 302  # the pending step is gone
    assert http.get("/konto/").status_code == 302
    assert AuditRecord.objects.filter(action="jobs_seekers.signin_locked").exists()
    assert not any("000000" in str(r.data) for r in AuditRecord.objects.all())


def test_the_code_page_without_a_first_step_goes_back_to_signing_in(client: HttpClient) -> None:
    assert client.get("/konto/logowanie/kod/")["Location"] == "/konto/logowanie/"
    assert client.post("/konto/logowanie/kod/", {"token": "123456"})["Location"] == "/konto/logowanie/"


def test_the_pending_step_expires(client: HttpClient, seeker: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    _signin(client, seeker)
    device = _turn_on(client, seeker)
    http = HttpClient()
    _signin(http, seeker)
    later = time.time() + portal_totp.PENDING_SECONDS + 5
    monkeypatch.setattr(portal_totp.time, "time", lambda: later)
    response = http.post("/konto/logowanie/kod/", {"token": _next_code(device)})
    assert response["Location"] == "/konto/logowanie/"


def test_bad_codes_are_form_errors_not_failures(client: HttpClient, seeker: Client) -> None:
    _signin(client, seeker)
    device = _turn_on(client, seeker)
    for bad in ["", "abc", "12", "1" * 40, "12345\x00"]:
        response = client.post("/konto/weryfikacja-dwuetapowa/", {"step": "off", "token": bad})
        assert response.status_code == 400, bad
    device.refresh_from_db()
    assert device.confirmed


def test_turning_it_off_needs_a_current_code(client: HttpClient, seeker: Client) -> None:
    _signin(client, seeker)
    device = _turn_on(client, seeker)
    assert client.post("/konto/weryfikacja-dwuetapowa/", {"step": "off", "token": "000000"}).status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    response = client.post("/konto/weryfikacja-dwuetapowa/", {"step": "off", "token": _next_code(device)})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user_id=device.user_id).exists()
    assert AuditRecord.objects.filter(action="jobs_seekers.totp_disabled").exists()
    assert _signin(HttpClient(), seeker) == "/konto/"


def test_an_unconfirmed_device_does_not_ask_for_a_code(client: HttpClient, seeker: Client) -> None:
    _signin(client, seeker)
    client.post("/konto/weryfikacja-dwuetapowa/", {"step": "start"})
    assert _signin(HttpClient(), seeker) == "/konto/"


def test_the_setup_page_needs_a_signed_in_account(client: HttpClient) -> None:
    response = client.get("/konto/weryfikacja-dwuetapowa/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logowanie/")


def test_the_office_turns_it_off_for_a_lost_phone_with_a_reason(
    client: HttpClient,
    seeker: Client,
    office: Organisation,
    make_user: Callable[..., User],
    staff_client: Callable[[User], HttpClient],
) -> None:
    _signin(client, seeker)
    _turn_on(client, seeker)
    account = PortalAccount.objects.get(client=seeker)
    consultant = staff_client(make_user("konsultant-2fa", roles=[(office, Role.CONSULTANT)]))
    card = consultant.get(f"/desk/clients/{seeker.uuid}/").content.decode()
    assert f"/desk/jobs/portal-accounts/{account.pk}/totp-reset" in card

    url = f"/desk/jobs/portal-accounts/{account.pk}/totp-reset"
    assert consultant.post(url, {"reason": ""}).status_code == 302
    assert TOTPDevice.objects.filter(user_id=account.user_id).exists()  # no reason, nothing done
    assert consultant.post(url, {"reason": "dowód osobisty przy okienku"}).status_code == 302
    assert not TOTPDevice.objects.filter(user_id=account.user_id).exists()
    entry = AuditRecord.objects.get(action="jobs_seekers.totp_reset")
    assert entry.data["reason"] == "dowód osobisty przy okienku"


def test_staff_of_another_office_cannot_turn_it_off(
    client: HttpClient,
    seeker: Client,
    make_user: Callable[..., User],
    staff_client: Callable[[User], HttpClient],
) -> None:
    _signin(client, seeker)
    _turn_on(client, seeker)
    account = PortalAccount.objects.get(client=seeker)
    other = Organisation.objects.exclude(pk=seeker.home_office_id).filter(kind=Organisation.Kind.COUNTY_OFFICE).first()
    assert other is not None
    stranger = staff_client(make_user("konsultant-obcy", roles=[(other, Role.CONSULTANT)]))
    response = stranger.post(f"/desk/jobs/portal-accounts/{account.pk}/totp-reset", {"reason": "x"})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user_id=account.user_id, confirmed=True).exists()


def test_an_employer_account_can_use_it_too(office: Organisation) -> None:
    from tests.jobs.helpers import employer, new_nip

    emp = employer(office, verified=True, name=f"Firma {new_nip()}")
    user = User.objects.create(username=f"portal-e-{emp.pk}")
    portal = PortalAccount.objects.create(user=user, kind=PortalAccount.Kind.EMPLOYER, email="kadry@firma.pl")
    device = portal_totp.start(portal)
    assert portal_totp.confirm(portal, _code(device))
    assert portal_totp.is_on(portal)


@pytest.mark.slow
def test_hostile_codes_and_reasons_never_fail(
    client: HttpClient,
    seeker: Client,
    office: Organisation,
    settings: object,
    make_user: Callable[..., User],
    staff_client: Callable[[User], HttpClient],
) -> None:
    """Bounded fuzzing of the new addresses with the portal's hostile strings: never a 5xx."""
    from hypothesis import given

    from tests.portal.test_fuzzing import HOSTILE, SETTINGS

    settings.PORTAL_SIGNIN_MAX_FAILURES = 100_000  # type: ignore[attr-defined]
    _signin(client, seeker)
    _turn_on(client, seeker)
    account = PortalAccount.objects.get(client=seeker)
    consultant = staff_client(make_user("konsultant-fuzz", roles=[(office, Role.CONSULTANT)]))
    client.raise_request_exception = False
    consultant.raise_request_exception = False

    @SETTINGS
    @given(text=HOSTILE)
    def run(text: str) -> None:
        http = HttpClient(raise_request_exception=False)
        _signin(http, seeker)
        assert http.post("/konto/logowanie/kod/", {"token": text}).status_code < 500
        for step in ("confirm", "off", text):
            assert client.post("/konto/weryfikacja-dwuetapowa/", {"step": step, "token": text}).status_code < 500
        assert (
            consultant.post(f"/desk/jobs/portal-accounts/{account.pk}/totp-reset", {"reason": text}).status_code < 500
        )
        _turn_on(client, seeker) if not portal_totp.is_on(account) else None

    run()
    assert consultant.post("/desk/jobs/portal-accounts/999999/totp-reset", {"reason": "x"}).status_code == 404
    assert consultant.get(f"/desk/jobs/portal-accounts/{account.pk}/totp-reset").status_code == 405


def test_a_working_device_cannot_be_replaced_without_turning_it_off(client: HttpClient, seeker: Client) -> None:
    """A borrowed session must not swap the person's authenticator for the borrower's."""
    _signin(client, seeker)
    device = _turn_on(client, seeker)
    assert client.post("/konto/weryfikacja-dwuetapowa/", {"step": "start"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user_id=device.user_id).values_list("pk", "confirmed")) == [(device.pk, True)]
    account = PortalAccount.objects.get(client=seeker)
    assert portal_totp.start(account) is None
    stray = TOTPDevice.objects.create(user_id=account.user_id, name="stray", confirmed=False)
    assert portal_totp.confirm(account, _code(stray)) is False
    assert TOTPDevice.objects.filter(user_id=account.user_id, confirmed=True).get().pk == device.pk
