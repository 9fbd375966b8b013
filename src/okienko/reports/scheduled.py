"""Scheduled report packs (issue 20, item 6): every week or month, a PDF with charts and an XLSX
with the same figures, e-mailed to a subscription's recipients.

A pack covers the organisation of the subscription and everything under it (cases it owns or
that its units work on, contacts it recorded), for the previous complete period: Monday to Sunday,
or the previous calendar month. ``send_due`` sends each active subscription's pack once per period
(``last_period`` remembers the period sent; Celery beat asks every quarter of an hour, so a pack
goes out soon after its period ends). Each recipient gets a message of their own (nobody
sees the others' addresses); an address the mail server refuses is audited and skipped, the rest
still get theirs. Figures come from the rollups only. The chart in the PDF is drawn beside a table
with the same numbers, and the chart's description says what it shows (reportlab writes no PDF
tags: the tables are the text alternative).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

import xlsxwriter  # type: ignore[import-untyped]
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.catalogue.models import Service
from okienko.core import audit, clock, pdf
from okienko.core.actors import SystemActor
from okienko.core.choices import Channel
from okienko.reports.models import CaseDay, ContactDay, ReportSubscription
from okienko.reports.rollups import local_day
from okienko.reports.routers import read_alias

log = logging.getLogger(__name__)
ACTOR = SystemActor("reports")


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  # inclusive

    def label(self) -> str:
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def previous_period(frequency: str, today: dt.date) -> Period:
    if frequency == ReportSubscription.Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    first_this = today.replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return Period(last.replace(day=1), last)


@dataclass
class Figures:
    opened: int = 0
    resolved: int = 0
    in_time: int = 0
    seconds: int = 0
    contacts: int = 0
    by_service: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    by_unit: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_day: dict[dt.date, list[int]] = field(default_factory=dict)

    @property
    def in_time_percent(self) -> int | None:
        return round(self.in_time * 100 / self.resolved) if self.resolved else None

    @property
    def mean_days(self) -> float | None:
        return self.seconds / self.resolved / 86400 if self.resolved else None


def figures(organisation: Organisation, period: Period, territory: TerritorialUnit | None = None) -> Figures:
    """The pack's figures; with ``territory`` only the cases whose place lies there (its TERYT code
    is a prefix of the case's gmina), and no contacts (they carry no place)."""
    db = read_alias()
    ids = list(Organisation.objects.using(db).filter(path__startswith=organisation.path).values_list("pk", flat=True))
    in_scope = CaseDay.objects.using(db).filter(
        Q(organisation_id__in=ids) | Q(unit_id__in=ids), day__gte=period.first, day__lte=period.last
    )
    if territory is not None:
        in_scope = in_scope.filter(gmina_id__startswith=territory.code)
    rows = list(in_scope)
    services = dict(
        Service.objects.using(db).filter(pk__in={r.service_id for r in rows}).values_list("pk", "public_name")
    )
    names = dict(
        Organisation.objects.using(db)
        .filter(pk__in={r.unit_id or r.organisation_id for r in rows})
        .values_list("pk", "name")
    )
    channels = dict(Channel.choices)
    found = Figures()
    day = period.first
    while day <= period.last:
        found.by_day[day] = [0, 0]
        day += dt.timedelta(days=1)
    for row in rows:
        found.opened += row.opened
        found.resolved += row.resolved
        found.in_time += row.resolved_in_time
        found.seconds += row.resolution_seconds
        for key, target in (
            (services.get(row.service_id, "—"), found.by_service),
            (names.get(row.unit_id or row.organisation_id, "—"), found.by_unit),
        ):
            target[key][0] += row.opened
            target[key][1] += row.resolved
            target[key][2] += row.resolved_in_time
        found.by_day[row.day][0] += row.opened
        found.by_day[row.day][1] += row.resolved
    if territory is not None:
        return found
    for channel, count in (
        ContactDay.objects.using(db)
        .filter(organisation_id__in=ids, day__gte=period.first, day__lte=period.last)
        .values_list("channel", "contacts")
    ):
        found.by_channel[str(channels.get(channel, channel))] += count
        found.contacts += count
    return found


def _percent(in_time: int, resolved: int) -> str:
    return f"{round(in_time * 100 / resolved)}%" if resolved else "—"


def _chart(data: Figures) -> Drawing:
    days = list(data.by_day)
    drawing = Drawing(480, 170)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 35, 25, 430, 125
    chart.data = [[data.by_day[d][0] for d in days], [data.by_day[d][1] for d in days]]
    chart.categoryAxis.categoryNames = [f"{d.day}" for d in days]
    chart.categoryAxis.labels.fontName = pdf.FONT
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontName = pdf.FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1F5FA8")
    chart.bars[1].fillColor = colors.HexColor("#8AB0D8")
    drawing.add(chart)
    legend = _("Dark: registered; light: resolved. The table below gives the same numbers.")
    drawing.add(String(35, 5, legend, fontName=pdf.FONT, fontSize=7))
    return drawing


def _chart_alt(period: Period, data: Figures) -> str:
    """What the chart shows, for a screen reader (the table after it gives every number)."""
    if not data.by_day:
        return _("Chart of cases registered and resolved each day: no cases in %(period)s.") % {
            "period": period.label()
        }
    busiest = max(data.by_day.items(), key=lambda item: item[1][0])
    return _(
        "Bar chart of cases registered and resolved each day of %(period)s: %(opened)d registered and "
        "%(resolved)d resolved in all; most registered on %(day)s (%(count)d). The table below gives "
        "every day's numbers."
    ) % {
        "period": period.label(),
        "opened": data.opened,
        "resolved": data.resolved,
        "day": busiest[0].isoformat(),
        "count": busiest[1][0],
    }


def pack_pdf(subscription: ReportSubscription, period: Period, data: Figures) -> bytes:
    title = _("Report: %(name)s, %(period)s") % {"name": subscription.name, "period": period.label()}
    registered, resolved = pgettext("cases", "Registered"), pgettext("cases", "Resolved")
    mean = data.mean_days
    story: list[pdf.Flowable] = [
        pdf.heading(title),
        pdf.facts(
            [
                *([(_("District or area"), subscription.territory.name)] if subscription.territory else []),
                (_("Cases registered"), data.opened),
                (_("Cases resolved"), data.resolved),
                (_("Resolved by the deadline"), _percent(data.in_time, data.resolved)),
                (_("Mean time to resolve (days)"), f"{mean:.1f}".replace(".", ",") if mean is not None else "—"),
                *([] if subscription.territory else [(_("Contacts"), data.contacts)]),
            ]
        ),
        *(
            [
                pdf.note(
                    _("Cases whose place lies in this district or area; contacts carry no place and are not counted.")
                )
            ]
            if subscription.territory
            else []
        ),
        pdf.spacer(),
        pdf.heading(_("Day by day"), level=2),
        pdf.figure(_chart(data), _chart_alt(period, data)),
        *pdf.table(
            [_("Day"), registered, resolved],
            [(d.isoformat(), v[0], v[1]) for d, v in data.by_day.items()],
            right=[1, 2],
        ),
        pdf.spacer(),
        pdf.heading(_("By unit"), level=2),
        *pdf.table(
            [_("Unit"), registered, resolved, _("Resolved by the deadline")],
            [(k, v[0], v[1], _percent(v[2], v[1])) for k, v in sorted(data.by_unit.items(), key=lambda i: -i[1][0])],
            widths=[0.55, 0.15, 0.15, 0.15],
            right=[1, 2, 3],
        ),
        pdf.spacer(),
        pdf.heading(_("By matter"), level=2),
        *pdf.table(
            [_("Matter"), registered, resolved, _("Resolved by the deadline")],
            [(k, v[0], v[1], _percent(v[2], v[1])) for k, v in sorted(data.by_service.items(), key=lambda i: -i[1][0])],
            widths=[0.55, 0.15, 0.15, 0.15],
            right=[1, 2, 3],
        ),
        pdf.spacer(),
        pdf.heading(_("Contacts by channel"), level=2),
        *pdf.table([_("Channel"), _("Contacts")], sorted(data.by_channel.items(), key=lambda i: -i[1]), right=[1]),
    ]
    page = pdf.Page(title=title, institutions=[subscription.organisation.name])
    return pdf.render(page, story, subject=_("Report pack"))


def pack_xlsx(period: Period, data: Figures) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    registered, resolved = pgettext("cases", "Registered"), pgettext("cases", "Resolved")
    for title, header, rows in (
        (_("Days"), [_("Day"), registered, resolved], [(d.isoformat(), *v) for d, v in data.by_day.items()]),
        (
            _("Units"),
            [_("Unit"), registered, resolved, _("Resolved by the deadline")],
            [(k, *v) for k, v in data.by_unit.items()],
        ),
        (
            _("Matters"),
            [_("Matter"), registered, resolved, _("Resolved by the deadline")],
            [(k, *v) for k, v in data.by_service.items()],
        ),
        (_("Channels"), [_("Channel"), _("Contacts")], list(data.by_channel.items())),
    ):
        sheet = book.add_worksheet(title[:31])
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def send(subscription: ReportSubscription, period: Period) -> int:
    """Build and send one pack; returns how many recipients the mail server took."""
    with translation.override(subscription.language or settings.LANGUAGE_CODE):
        data = figures(subscription.organisation, period, subscription.territory)
        attachments = [
            (f"raport-{period.first.isoformat()}.pdf", pack_pdf(subscription, period, data), "application/pdf"),
            (
                f"raport-{period.first.isoformat()}.xlsx",
                pack_xlsx(period, data),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ]
        subject = _("Report: %(name)s, %(period)s") % {"name": subscription.name, "period": period.label()}
        body = _(
            "Attached: the report for %(period)s (PDF with charts and tables, and the same figures in "
            "XLSX). Cases registered: %(opened)d, resolved: %(resolved)d, contacts: %(contacts)d.\n\n— Okienko"
        ) % {"period": period.label(), "opened": data.opened, "resolved": data.resolved, "contacts": data.contacts}
    sent, refused = 0, []
    connection = get_connection(timeout=20)
    for address in subscription.addresses():
        message = EmailMessage(subject=subject, body=body, to=[address], connection=connection)
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        try:
            message.send()
            sent += 1
        except (smtplib.SMTPException, OSError) as exc:
            refused.append(address)
            log.warning("report pack %s: %s refused: %s", subscription.pk, address, exc)
    with transaction.atomic():
        if sent:
            ReportSubscription.objects.filter(pk=subscription.pk).update(last_period=period.first)
        audit.record(
            "reports.pack_sent" if sent else "reports.pack_failed",
            actor=ACTOR,
            obj=subscription,
            organisation_id=subscription.organisation_id,
            data={"period": period.first.isoformat(), "sent": sent, "refused": refused},
        )
    return sent


def send_due(today: dt.date | None = None) -> int:
    """Send every active subscription's pack for its last complete period, once."""
    today = today or local_day(clock.now())
    sent = 0
    for subscription in ReportSubscription.objects.filter(active=True).select_related("organisation"):
        period = previous_period(subscription.frequency, today)
        if subscription.last_period is not None and subscription.last_period >= period.first:
            continue
        sent += send(subscription, period)
    return sent
