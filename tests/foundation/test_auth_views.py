from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord

PASSWORD = "pass-1234-word"


def _totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.mark.django_db
def test_login_page_is_in_polish_by_default(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "pl"
    assert "Zaloguj się" in response.content.decode()


@pytest.mark.django_db
def test_login_page_can_be_shown_in_english(client: Client) -> None:
    response = client.get("/accounts/login/", headers={"Accept-Language": "en"})
    assert "Sign in to Okienko" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_is_audited(client: Client, make_user: Callable[..., User]) -> None:
    make_user("ola")
    response = client.post("/accounts/login/", {"username": "ola", "password": "wrong"})
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    entry = AuditRecord.objects.get(action="auth.login_failed")
    assert entry.data == {"username": "ola"}
    assert entry.kind == "security"


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client: Client, make_user: Callable[..., User]) -> None:
    make_user("ola")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "ola", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "ola", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_correct_password_signs_in_and_shows_the_desk(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    make_user("ola", roles=[(region, Role.SUPERVISOR)])
    response = client.post("/accounts/login/", {"username": "ola", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/desk/"
    page = response.content.decode()
    assert "kierownik" in page  # the role label, in Polish
    assert AuditRecord.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_user_with_totp_needs_the_code(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("ola")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post("/accounts/login/", {"username": "ola", "password": PASSWORD})
    assert response.headers["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    bad = client.post("/accounts/login/code/", {"token": "000000" if _totp_now(device) != "000000" else "111111"})
    assert bad.status_code == 200
    assert AuditRecord.objects.filter(action="auth.2fa_failed").exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    good = client.post("/accounts/login/code/", {"token": _totp_now(device)})
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_code_step_without_a_password_step_goes_back_to_login(client: Client) -> None:
    response = client.get("/accounts/login/code/")
    assert response.headers["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_totp_enrolment_turns_on_two_step_verification(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("ola")
    client.force_login(user)
    client.post("/accounts/security/2fa/", {"start": "1"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.get("/accounts/security/2fa/").content.decode()
    assert "data:image/svg+xml;base64," in page
    client.post("/accounts/security/2fa/", {"token": _totp_now(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert AuditRecord.objects.filter(action="accounts.2fa_enabled", actor=user).exists()


@pytest.mark.django_db
def test_forged_csrf_is_rejected_and_audited(make_user: Callable[..., User]) -> None:
    user = make_user("ola")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert AuditRecord.objects.filter(action="security.csrf_rejected").exists()
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_switching_to_an_unknown_organisation_is_not_found(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("ola", roles=[(region, Role.SUPERVISOR)]))
    response = client.post("/accounts/organisation/", {"organisation": "no-such-office"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_switching_to_an_organisation_without_a_role_is_denied_and_audited(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("ola", roles=[(region, Role.SUPERVISOR)]))
    response = client.post("/accounts/organisation/", {"organisation": "city"})
    assert response.status_code == 403
    assert AuditRecord.objects.filter(action="auth.organisation_switch_denied").exists()


@pytest.mark.django_db
def test_user_in_two_organisations_switches_between_them(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    city = Organisation.objects.get(code="city")
    client.force_login(make_user("ola", roles=[(region, Role.ANALYST), (city, Role.ANALYST)]))
    page = client.get("/desk/").content.decode()
    assert 'id="org-select"' in page
    client.post("/accounts/organisation/", {"organisation": "city"})
    assert "City" in client.get("/desk/").content.decode().split("Pracujesz dla:")[1][:40]


@pytest.mark.django_db
def test_desk_needs_sign_in(client: Client) -> None:
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=/desk/")


@pytest.mark.django_db
def test_admin_login_goes_through_our_login(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.headers["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_admin_sends_staff_without_admin_rights_to_sign_in(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("ola"))
    response = client.get("/admin/accounts/organisation/")
    assert response.status_code == 302  # not staff: sent to sign in as someone who is


@pytest.mark.django_db
def test_password_change_enforces_the_policy_and_is_audited(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("ola")
    client.force_login(user)
    weak = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200
    assert "co najmniej 12 znaków" in weak.content.decode()
    strong = "Zielona-Herbata-2026!"
    ok = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
    assert AuditRecord.objects.filter(action="auth.password_changed", actor=user).exists()
