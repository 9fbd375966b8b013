"""Several users per employer (issue 19, item 1): invitations by e-mail, accepting them, the team
page for the owner and the recruiter, switching members off and on, and the guards."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.clients import actions as client_actions
from okienko.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from okienko.core.models import AuditRecord
from okienko.jobs import team
from okienko.jobs.models import Employer, EmployerInvitation, EmployerMembership
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.seekers.models import PortalAccount
from tests.jobs.helpers import employer, new_nip

pytestmark = pytest.mark.django_db
PASSWORD = "Bardzo-tajne-haslo-2026"
Role = EmployerMembership.Role


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


def _account(emp: Employer, email: str, role: str = Role.OWNER) -> PortalAccount:
    user = User.objects.create(username=f"portal-{email}")
    account = PortalAccount.objects.create(user=user, kind=PortalAccount.Kind.EMPLOYER, email=email)
    EmployerMembership.objects.create(employer=emp, user=user, role=role)
    return account


@pytest.fixture
def company(office: Organisation) -> Employer:
    return employer(office, name=f"Hurtownia {new_nip()}")


@pytest.fixture
def owner(company: Employer) -> PortalAccount:
    return _account(company, "szefowa@hurtownia.pl")


def _as(account: PortalAccount | None) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    http.raise_request_exception = False
    if account is not None:
        session = http.session
        session["okienko.portal_account"] = account.pk
        session.save()
    return http


def _actions(prefix: str) -> list[str]:
    return list(AuditRecord.objects.filter(action__startswith=prefix).order_by("id").values_list("action", flat=True))


# --- actions -----------------------------------------------------------------------------------


def test_invite_keeps_only_a_hash_of_the_token_and_audits(owner: PortalAccount, company: Employer) -> None:
    invitation, token = team.invite(account=owner, email=" Nowa@Hurtownia.pl ", role=Role.RECRUITER)
    assert invitation.email == "nowa@hurtownia.pl"
    assert token not in invitation.token_hash
    assert len(token) >= 40
    assert invitation.token_hash == team.hash_token(token)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    assert invitation.invited_by == owner.user
    entry = AuditRecord.objects.get(action="jobs.invitation_sent")
    assert entry.organisation_id == company.office_id
    assert entry.data["portal_account"] == owner.pk
    assert "nowa@hurtownia.pl" not in str(entry.data)


def test_accept_with_password_makes_a_verified_account_and_membership(owner: PortalAccount, company: Employer) -> None:
    invitation, token = team.invite(account=owner, email="nowa@hurtownia.pl")
    account = team.accept_with_password(token=token, password=PASSWORD)
    assert account.kind == PortalAccount.Kind.EMPLOYER
    assert account.email == "nowa@hurtownia.pl"
    assert account.email_verified_at is not None
    assert not account.user.has_usable_password()
    membership = EmployerMembership.objects.get(user=account.user)
    assert membership.employer == company
    assert membership.role == Role.RECRUITER
    assert membership.active
    assert seeker_actions.employer_of(account) == company
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == account.user
    assert "jobs.invitation_accepted" in _actions("jobs.")
    assert "jobs.employer_member_added" in _actions("jobs.")
    with pytest.raises(team.InvitationGone) as gone:
        team.find(token)
    assert gone.value.reason == "accepted"


def test_the_invited_role_is_kept(owner: PortalAccount) -> None:
    _invitation, token = team.invite(account=owner, email="druga@hurtownia.pl", role=Role.OWNER)
    account = team.accept_with_password(token=token, password=PASSWORD)
    assert EmployerMembership.objects.get(user=account.user).role == Role.OWNER


def test_a_short_password_is_refused(owner: PortalAccount) -> None:
    _invitation, token = team.invite(account=owner, email="nowa@hurtownia.pl")
    with pytest.raises(InvalidInput) as error:
        team.accept_with_password(token=token, password="krotkie")
    assert error.value.field == "password"
    assert not PortalAccount.objects.filter(email="nowa@hurtownia.pl").exists()


def test_expired_cancelled_and_unknown_tokens(owner: PortalAccount, settings: Any) -> None:
    invitation, token = team.invite(account=owner, email="nowa@hurtownia.pl")
    EmployerInvitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    with pytest.raises(team.InvitationGone) as gone:
        team.accept_with_password(token=token, password=PASSWORD)
    assert gone.value.reason == "expired"
    second, token2 = team.invite(account=owner, email="nowa@hurtownia.pl")  # the expired one waits no more
    team.cancel(account=owner, invitation_uuid=str(second.uuid))
    with pytest.raises(team.InvitationGone) as gone:
        team.find(token2)
    assert gone.value.reason == "cancelled"
    with pytest.raises(NotFound):
        team.find("nie-ma-takiego")
    assert "jobs.invitation_cancelled" in _actions("jobs.")
    assert not PortalAccount.objects.filter(email="nowa@hurtownia.pl").exists()


def test_addresses_that_cannot_join(owner: PortalAccount, company: Employer, office: Organisation) -> None:
    other = _account(employer(office, name="Inna firma"), "ktos@innafirma.pl")
    with pytest.raises(Conflict) as error:
        team.invite(account=owner, email="KTOS@innafirma.pl")
    assert error.value.field == "email"
    assert "innego pracodawcy" in str(error.value.message)
    with pytest.raises(Conflict):
        team.invite(account=owner, email=owner.email or "")
    person = client_actions.register_client(actor=None, home_office=office, first_name="Jan", last_name="Nowak")
    PortalAccount.objects.create(
        user=User.objects.create(username="p-seeker"), client=person, kind="seeker", email="jan@example.org"
    )
    # A job seeker's address is not refused to the employer (that would tell who looks for work);
    # the invitee is told on the invitation page, and cannot accept with the seeker's account.
    _seeker_invitation, seeker_token = team.invite(account=owner, email="jan@example.org")
    with pytest.raises(Conflict):
        team.accept_with_password(token=seeker_token, password=PASSWORD)
    page = _as(None).get(f"/konto/zaproszenie/{seeker_token}/")
    assert page.status_code == 200
    assert "konta osoby szukającej pracy" in page.content.decode()
    assert 'id="id_password"' not in page.content.decode()
    seeker = PortalAccount.objects.get(email="jan@example.org")
    assert _as(seeker).post(f"/konto/zaproszenie/{seeker_token}/").status_code == 403
    assert not EmployerMembership.objects.filter(user=seeker.user).exists()
    team.invite(account=owner, email="nowa@hurtownia.pl")
    with pytest.raises(Conflict):
        team.invite(account=owner, email="nowa@hurtownia.pl")  # one pending invitation per address
    with pytest.raises(InvalidInput):
        team.invite(account=owner, email="nowa2@hurtownia.pl", role="boss")
    assert other.pk


def test_a_recruiter_manages_nothing(owner: PortalAccount, company: Employer) -> None:
    recruiter = _account(company, "rekruterka@hurtownia.pl", Role.RECRUITER)
    invitation, _token = team.invite(account=owner, email="nowa@hurtownia.pl")
    with pytest.raises(Forbidden):
        team.invite(account=recruiter, email="kolejna@hurtownia.pl")
    with pytest.raises(Forbidden):
        team.cancel(account=recruiter, invitation_uuid=str(invitation.uuid))
    owner_membership = EmployerMembership.objects.get(user=owner.user)
    with pytest.raises(Forbidden):
        team.set_active(account=recruiter, membership_id=owner_membership.pk, active=False)
    assert EmployerMembership.objects.get(pk=owner_membership.pk).active


def test_last_owner_and_oneself_cannot_be_switched_off(owner: PortalAccount, company: Employer) -> None:
    mine = EmployerMembership.objects.get(user=owner.user)
    with pytest.raises(Conflict):
        team.set_active(account=owner, membership_id=mine.pk, active=False)
    second = _account(company, "drugi@hurtownia.pl", Role.OWNER)
    recruiter = _account(company, "rekruter@hurtownia.pl", Role.RECRUITER)
    theirs = EmployerMembership.objects.get(user=second.user)
    team.set_active(account=owner, membership_id=theirs.pk, active=False)
    # Now the first owner is the last active one: the second (switched off) cannot act at all.
    with pytest.raises(NotFound):
        team.set_active(account=second, membership_id=mine.pk, active=False)
    assert seeker_actions.employer_of(second) is None
    team.set_active(account=owner, membership_id=theirs.pk, active=True)
    assert seeker_actions.employer_of(second) == company
    rec = EmployerMembership.objects.get(user=recruiter.user)
    team.set_active(account=owner, membership_id=rec.pk, active=False)
    assert _actions("jobs.employer_member_") == [
        "jobs.employer_member_deactivated",
        "jobs.employer_member_reactivated",
        "jobs.employer_member_deactivated",
    ]
    with pytest.raises(NotFound):
        team.set_active(account=owner, membership_id=10**9, active=False)


def test_an_owner_of_another_employer_cannot_touch_this_team(
    owner: PortalAccount, company: Employer, office: Organisation
) -> None:
    stranger = _account(employer(office, name="Obca firma"), "obcy@obca.pl")
    invitation, _token = team.invite(account=owner, email="nowa@hurtownia.pl")
    with pytest.raises(NotFound):
        team.cancel(account=stranger, invitation_uuid=str(invitation.uuid))
    mine = EmployerMembership.objects.get(user=owner.user)
    with pytest.raises(NotFound):
        team.set_active(account=stranger, membership_id=mine.pk, active=False)


def test_invitations_are_capped_per_employer(owner: PortalAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(team, "MAX_PENDING", 2)
    team.invite(account=owner, email="a@hurtownia.pl")
    team.invite(account=owner, email="b@hurtownia.pl")
    with pytest.raises(Conflict):
        team.invite(account=owner, email="c@hurtownia.pl")


# --- pages -------------------------------------------------------------------------------------


def test_team_page_for_owner_recruiter_seeker_and_nobody(
    owner: PortalAccount, company: Employer, office: Organisation
) -> None:
    recruiter = _account(company, "rekruterka@hurtownia.pl", Role.RECRUITER)
    team.invite(account=owner, email="czeka@hurtownia.pl")
    page = _as(owner).get("/konto/zespol/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "rekruterka@hurtownia.pl" in text
    assert "czeka@hurtownia.pl" in text
    assert 'id="id_role"' in text
    assert "/wylacz/" in text
    assert "/anuluj/" in text
    page = _as(recruiter).get("/konto/zespol/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "szefowa@hurtownia.pl" in text
    assert 'id="id_role"' not in text
    assert "/wylacz/" not in text
    assert "/anuluj/" not in text
    assert _as(recruiter).post("/konto/zespol/", {"email": "x@hurtownia.pl", "role": "recruiter"}).status_code == 403
    person = client_actions.register_client(actor=None, home_office=office, first_name="Jan", last_name="Nowak")
    seeker = seeker_actions.account_for_client(person)
    assert _as(seeker).get("/konto/zespol/").status_code == 404
    assert _as(None).get("/konto/zespol/").status_code == 302
    assert "/zespol/" in _as(owner).get("/konto/").content.decode()  # linked from the employer's account


def test_invitation_flow_with_the_test_client(owner: PortalAccount, company: Employer, settings: Any) -> None:
    settings.SITE_URL = "https://okienko.example"
    response = _as(owner).post("/konto/zespol/", {"email": "nowa@hurtownia.pl", "role": "recruiter"})
    assert response.status_code == 302
    assert "done=invited" in response["Location"]
    message = mail.outbox[-1]
    assert message.to == ["nowa@hurtownia.pl"]
    assert company.name in message.subject
    assert "Zaproszenie" in message.subject
    found = re.search(r"https://okienko\.example(/konto/zaproszenie/[^/\s]+/)", str(message.body))
    assert found is not None
    link = found.group(1)
    stranger = _as(None)
    page = stranger.get(link)
    assert page.status_code == 200
    assert company.name in page.content.decode()
    bad = stranger.post(link, {"password": PASSWORD, "password_again": PASSWORD + "x"})
    assert bad.status_code == 400
    done = stranger.post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 200
    account = PortalAccount.objects.get(email="nowa@hurtownia.pl")
    assert seeker_actions.employer_of(account) == company
    assert stranger.get(link).status_code == 410  # used
    signin = stranger.post(
        "/konto/logowanie/", {"method": "email", "email-email": "nowa@hurtownia.pl", "email-password": PASSWORD}
    )
    assert signin.status_code == 302
    assert stranger.get("/konto/zespol/").status_code == 200


def test_signed_in_employer_with_the_address_just_accepts(
    owner: PortalAccount, company: Employer, office: Organisation
) -> None:
    user = User.objects.create(username="p-lonely")
    lonely = PortalAccount.objects.create(user=user, kind="employer", email="samotna@hurtownia.pl")
    _invitation, token = team.invite(account=owner, email="samotna@hurtownia.pl")
    anonymous = _as(None).get(f"/konto/zaproszenie/{token}/")
    assert anonymous.status_code == 200
    assert "/konto/logowanie/?next=" in anonymous.content.decode()
    other = _as(owner).post(f"/konto/zaproszenie/{token}/")
    assert other.status_code == 400  # signed in as somebody else: nothing happens
    assert not EmployerMembership.objects.filter(user=user).exists()
    response = _as(lonely).post(f"/konto/zaproszenie/{token}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/zespol/")
    assert seeker_actions.employer_of(lonely) == company
    lonely.refresh_from_db()
    assert lonely.email_verified_at is not None


def test_bad_tokens_are_readable_pages(owner: PortalAccount) -> None:
    http = _as(None)
    assert http.get("/konto/zaproszenie/nieznany/").status_code == 404
    assert http.post("/konto/zaproszenie/nieznany/", {"password": PASSWORD}).status_code == 404
    invitation, token = team.invite(account=owner, email="nowa@hurtownia.pl")
    EmployerInvitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    page = http.get(f"/konto/zaproszenie/{token}/")
    assert page.status_code == 410
    assert "wygasło" in page.content.decode()
    second, token2 = team.invite(account=owner, email="nowa@hurtownia.pl")
    assert _as(owner).post(f"/konto/zespol/zaproszenia/{second.uuid}/anuluj/").status_code == 302
    assert http.get(f"/konto/zaproszenie/{token2}/").status_code == 410
    assert http.get(f"/konto/zaproszenie/{'x' * 500}/").status_code == 404


def test_form_errors_on_the_team_page(owner: PortalAccount, office: Organisation) -> None:
    _account(employer(office, name="Inna firma"), "ktos@innafirma.pl")
    http = _as(owner)
    page = http.post("/konto/zespol/", {"email": "ktos@innafirma.pl", "role": "recruiter"})
    assert page.status_code == 409
    assert "innego pracodawcy" in page.content.decode()
    assert http.post("/konto/zespol/", {"email": "nie-adres", "role": "recruiter"}).status_code == 400
    mine = EmployerMembership.objects.get(user=owner.user)
    page = http.post(f"/konto/zespol/czlonkowie/{mine.pk}/wylacz/")
    assert page.status_code == 409
    assert EmployerMembership.objects.get(pk=mine.pk).active


def test_member_switch_pages(owner: PortalAccount, company: Employer) -> None:
    recruiter = _account(company, "rekruter@hurtownia.pl", Role.RECRUITER)
    membership = EmployerMembership.objects.get(user=recruiter.user)
    http = _as(owner)
    assert http.post(f"/konto/zespol/czlonkowie/{membership.pk}/wylacz/").status_code == 302
    assert _as(recruiter).get("/konto/zespol/").status_code == 404  # switched off: acts for nobody
    assert http.post(f"/konto/zespol/czlonkowie/{membership.pk}/wlacz/").status_code == 302
    assert _as(recruiter).get("/konto/zespol/").status_code == 200
    assert http.get(f"/konto/zespol/czlonkowie/{membership.pk}/wylacz/").status_code == 405


def test_invitations_are_rate_limited(owner: PortalAccount, settings: Any) -> None:
    settings.PORTAL_RATE_LIMITS = {"invite": 2}
    http = _as(owner)
    for n in range(2):
        assert http.post("/konto/zespol/", {"email": f"n{n}@hurtownia.pl", "role": "recruiter"}).status_code == 302
    assert http.post("/konto/zespol/", {"email": "n9@hurtownia.pl", "role": "recruiter"}).status_code == 429
    assert EmployerInvitation.objects.count() == 2


def test_old_closed_invitations_are_purged(owner: PortalAccount, company: Employer) -> None:
    from okienko.conf.celery import app
    from okienko.jobs.tasks import purge_invitations

    long_ago = dt.timedelta(days=team.KEEP_DAYS + 1)
    old, _t1 = team.invite(account=owner, email="stare@hurtownia.pl")
    EmployerInvitation.objects.filter(pk=old.pk).update(
        created_at=old.created_at - long_ago - dt.timedelta(days=7),
        expires_at=old.expires_at - long_ago - dt.timedelta(days=7),
    )
    cancelled, _t2 = team.invite(account=owner, email="anulowane@hurtownia.pl")
    team.cancel(account=owner, invitation_uuid=str(cancelled.uuid))
    waiting, _t3 = team.invite(account=owner, email="czeka@hurtownia.pl")
    assert purge_invitations() == {"deleted": 1}
    assert set(EmployerInvitation.objects.values_list("pk", flat=True)) == {cancelled.pk, waiting.pk}
    entry = AuditRecord.objects.get(action="jobs.invitations_purged")
    assert entry.data["invitations"] == [old.pk]
    assert entry.organisation_id == company.office_id
    assert app.conf.beat_schedule["jobs-purge-invitations"]["task"] == "okienko.jobs.purge_invitations"


def test_my_data_names_the_employers_and_the_invitation(owner: PortalAccount, company: Employer) -> None:
    _invitation, token = team.invite(account=owner, email="nowa@hurtownia.pl")
    account = team.accept_with_password(token=token, password=PASSWORD)
    response = _as(account).get("/konto/moje-dane.json")
    assert response.status_code == 200
    data = response.json()
    assert data["employers"] == [
        {
            "employer": company.name,
            "nip": company.nip,
            "role": "recruiter",
            "active": True,
            "since": data["employers"][0]["since"],
        }
    ]
    assert data["invitations_accepted"][0]["employer"] == company.name
