"""A new application tells the employer's team by e-mail (issue 19, items 1 and 4): every active
member with a verified portal address, once, through the outbox and the notification service; the
message names the offer and links to the application, never the candidate."""

from __future__ import annotations

import mailbox
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.clients.models import Client
from okienko.core import clock
from okienko.jobs.models import Employer, EmployerMembership
from okienko.jobs.seekers import actions
from okienko.jobs.seekers.models import Application, PortalAccount
from okienko.notifications.models import Event, Notification
from tests.jobs import test_portal_accounts as accounts_tests
from tests.jobs.helpers import employer, published
from tests.jobs.test_portal_accounts import _cv
from tests.notifications.conftest import received, run_workers

pytestmark = pytest.mark.django_db
Role = EmployerMembership.Role


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def seeker(office: Organisation) -> Client:
    return accounts_tests.seeker.__wrapped__(office)  # type: ignore[attr-defined,no-any-return]


def _member(
    emp: Employer, email: str, *, role: str = Role.RECRUITER, verified: bool = True, active: bool = True
) -> None:
    user = User.objects.create(username=f"portal-{email}")
    PortalAccount.objects.create(
        user=user, kind="employer", email=email, email_verified_at=clock.now() if verified else None
    )
    EmployerMembership.objects.create(employer=emp, user=user, role=role, active=active)


@pytest.fixture
def team(office: Organisation) -> Employer:
    emp = employer(office, name="Hurtownia Podlasie")
    _member(emp, "szefowa@hurtownia.pl", role=Role.OWNER)
    _member(emp, "rekruter@hurtownia.pl")
    _member(emp, "niepotwierdzony@hurtownia.pl", verified=False)
    _member(emp, "wylaczony@hurtownia.pl", active=False)
    _member(employer(office, name="Inna firma"), "obcy@innafirma.pl")
    return emp


def _apply(seeker: Client, office: Organisation, team: Employer) -> Application:
    _cv(seeker, consent=False)
    offer = published(office, team, title="Magazynier (k/m)")
    return actions.apply(
        account=actions.account_for_client(seeker), offer=offer, letter="Tajny list kandydatki", with_file=False
    )


def test_the_team_hears_of_a_new_application_without_the_candidate(
    seeker: Client, office: Organisation, team: Employer, settings: Any
) -> None:
    settings.SITE_URL = "https://okienko.example"
    application = _apply(seeker, office, team)
    run_workers()
    run_workers()  # delivered again: nothing new
    sent = Notification.objects.filter(event=Event.JOB_APPLICATION).order_by("recipient")
    assert [n.recipient for n in sent] == ["rekruter@hurtownia.pl", "szefowa@hurtownia.pl"]
    for notification in sent:
        assert notification.language == "pl"
        assert "Magazynier (k/m)" in notification.subject
        assert f"https://okienko.example/konto/zgloszenia/{application.uuid}/" in notification.body_text
        for private in ("Anna", "Zielińska", "anna.zielinska@example.org", "600100200", "Tajny list"):
            assert private not in notification.body_text
            assert private not in notification.subject
        assert notification.status == Notification.Status.SENT


def test_the_mail_arrives(seeker: Client, office: Organisation, team: Employer, mail_sink: mailbox.Maildir) -> None:
    _apply(seeker, office, team)
    run_workers()
    messages = received(mail_sink)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == [
        "rekruter@hurtownia.pl",
        "szefowa@hurtownia.pl",
    ]
    text = messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Nowe zgłoszenie" in str(messages[0]["Subject"])
    assert "Zielińska" not in text


def test_a_withdrawn_application_is_not_announced(seeker: Client, office: Organisation, team: Employer) -> None:
    application = _apply(seeker, office, team)
    actions.withdraw_application(account=actions.account_for_client(seeker), application_uuid=str(application.uuid))
    run_workers()
    assert not Notification.objects.filter(event=Event.JOB_APPLICATION).exists()


def test_english_wording_exists() -> None:
    from okienko.notifications import defaults

    for language in ("pl", "en"):
        wording = defaults.EMAIL[("job_application", language)]
        assert "{{ offer_title }}" in wording.subject
        assert "{{ link }}" in wording.body
