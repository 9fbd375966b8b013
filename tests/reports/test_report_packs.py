"""Scheduled report packs (issue 20, item 6): the previous week or month, a PDF and an XLSX of the
organisation's subtree, one e-mail per recipient, once per period, a refused address skipped."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
import zipfile
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from okienko.core.models import AuditRecord
from okienko.reports import rollups, scheduled
from okienko.reports.models import ReportSubscription
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


from tests.foundation.test_pdf_tagging import tree_of  # noqa: E402


def test_periods_are_the_previous_week_and_month() -> None:
    wednesday = dt.date(2026, 12, 2)
    week = scheduled.previous_period("weekly", wednesday)
    assert (week.first, week.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    month = scheduled.previous_period("monthly", wednesday)
    assert (month.first, month.last) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    january = scheduled.previous_period("monthly", dt.date(2027, 1, 1))
    assert (january.first, january.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


@pytest.fixture
def subscription(city: City) -> ReportSubscription:
    with time_machine.travel("2026-11-24 09:00:00+00:00", tick=False):
        open_pothole(city)
        open_pothole(city, channel="email")
    rollups.rebuild()
    return ReportSubscription.objects.create(
        organisation=city.city,
        name="Raport dla prezydenta",
        frequency="weekly",
        recipients="prezydent@lodz.example\n\nsekretarz@lodz.example\n",
    )


def test_a_pack_goes_to_each_recipient_once_per_period(subscription: ReportSubscription) -> None:
    assert scheduled.send_due(dt.date(2026, 12, 2)) == 2
    assert [m.to for m in mail.outbox] == [["prezydent@lodz.example"], ["sekretarz@lodz.example"]]
    message = mail.outbox[0]
    assert "2026-11-23" in message.subject
    names = [a[0] for a in message.attachments]
    assert names == ["raport-2026-11-23.pdf", "raport-2026-11-23.xlsx"]
    pdf_bytes = message.attachments[0][1]
    assert pdf_bytes.startswith(b"%PDF")
    tagged = tree_of(pdf_bytes)
    assert tagged.count("Figure") == 1
    assert "Bar chart of cases registered and resolved each day" in " ".join(tagged.alts) or "Wykres" in " ".join(
        tagged.alts
    )
    with zipfile.ZipFile(io.BytesIO(message.attachments[1][1])) as book:
        sheets = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert "Pothole" in sheets
    assert "Zarejestrowane sprawy: 2" in message.body
    assert scheduled.send_due(dt.date(2026, 12, 3)) == 0  # the same week is not sent again
    assert scheduled.send_due(dt.date(2026, 12, 9)) == 2  # the next week is
    assert AuditRecord.objects.filter(action="reports.pack_sent").count() == 2


def test_a_refused_recipient_is_skipped_and_audited(
    subscription: ReportSubscription, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.mail import EmailMessage

    original = EmailMessage.send

    def send(self: Any, fail_silently: bool = False) -> int:
        if "prezydent" in self.to[0]:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    assert scheduled.send_due(dt.date(2026, 12, 2)) == 1
    assert [m.to for m in mail.outbox] == [["sekretarz@lodz.example"]]
    entry = AuditRecord.objects.get(action="reports.pack_sent")
    assert entry.data["refused"] == ["prezydent@lodz.example"]


def test_another_organisations_figures_are_not_in_the_pack(city: City, subscription: ReportSubscription) -> None:
    other = ReportSubscription.objects.create(
        organisation=city.other_city, name="Inne miasto", frequency="weekly", recipients="x@inne.example"
    )
    data = scheduled.figures(other.organisation, scheduled.previous_period("weekly", dt.date(2026, 12, 2)))
    assert (data.opened, data.resolved) == (0, 0)
    mine = scheduled.figures(city.city, scheduled.previous_period("weekly", dt.date(2026, 12, 2)))
    assert mine.opened == 2


def test_an_empty_period_still_makes_a_readable_pack(city: City) -> None:
    subscription = ReportSubscription.objects.create(
        organisation=city.city, name="Pusty", frequency="monthly", recipients="a@b.example", language="en"
    )
    assert scheduled.send_due(dt.date(2020, 2, 3)) == 1
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF")
    subscription.refresh_from_db()
    assert subscription.last_period == dt.date(2020, 1, 1)


def test_recipients_are_validated(city: City) -> None:
    from django.core.exceptions import ValidationError

    for bad in ("", "not-an-address", "\n".join(f"a{n}@b.example" for n in range(51))):
        subscription = ReportSubscription(organisation=city.city, name="x", frequency="weekly", recipients=bad)
        with pytest.raises(ValidationError):
            subscription.full_clean()


def test_the_command_sends_what_is_due(subscription: ReportSubscription) -> None:
    out = io.StringIO()
    with time_machine.travel("2026-12-02 07:00:00+00:00", tick=False):
        call_command("reports_send_packs", stdout=out)
    assert "2 report e-mails sent" in out.getvalue()


def test_a_councillors_pack_counts_only_the_cases_of_their_district(
    city: City, subscription: ReportSubscription
) -> None:
    from okienko.accounts.models import TerritorialUnit

    week = scheduled.previous_period("weekly", dt.date(2026, 12, 2))
    assert scheduled.figures(city.city, week, city.gmina).opened == 2
    elsewhere, _new = TerritorialUnit.objects.get_or_create(
        code="1465011", defaults={"name": "Warszawa", "kind": TerritorialUnit.Kind.GMINA}
    )
    assert scheduled.figures(city.city, week, elsewhere).opened == 0
    powiat, _new = TerritorialUnit.objects.get_or_create(
        code="1061", defaults={"name": "Łódź (powiat)", "kind": TerritorialUnit.Kind.CITY_POWIAT}
    )
    district = scheduled.figures(city.city, week, powiat)
    assert (district.opened, district.contacts) == (2, 0)
    subscription.territory = city.gmina
    subscription.name = "Raport dla radnych"
    subscription.save()
    assert scheduled.send_due(dt.date(2026, 12, 2)) == 2
    assert tree_of(mail.outbox[0].attachments[0][1]).count("Figure") == 1
