"""The quantitative dashboard of the desk and the report API (issue 20, items 2 and 9).

Everything is read from the rollups on the read alias — month rows (``CaseMonth``, ``ContactMonth``…)
for a period's whole months, day rows (``CaseDay``, ``ContactDay``) for the days at its ends — except the
backlog now (a count of open cases). A reader's **scope** is the set of organisations where they
hold ``reports.view`` (a director's subtree, a unit head's unit; an API token narrows it to its
organisation's subtree): cases count when their jurisdiction *or* their assigned unit is in scope,
contacts when the office that recorded them is. Figures per member of staff are given only for the
offices where the reader also supervises queues (``queues.supervise``).

A period is from–to local days, at most :data:`MAX_DAYS` long; a bad one raises
:class:`PeriodError` with a message for the reader (never a server error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractIsoWeekDay, TruncMonth
from django.utils.dates import WEEKDAYS
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okienko.accounts.models import Organisation, User
from okienko.cases.models import Case
from okienko.cases.workflow import OPEN_STATUSES
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core.choices import Channel
from okienko.interactions.models import Interaction
from okienko.reports import calls as calls_module
from okienko.reports.models import CaseDay, CaseMonth, ContactDay, ContactMonth, ContactMonthHour, ContactMonthStaff
from okienko.reports.routers import read_alias
from okienko.telephony.models import PhoneQueue

MAX_DAYS = 2 * 366
FIRST_YEAR, LAST_YEAR = 2000, 2100
CASE_GROUPS = ("organisation", "unit", "service", "category", "channel", "day", "month")
CONTACT_GROUPS = (
    "organisation",
    "channel",
    "direction",
    "outcome",
    "service",
    "staff",
    "hour",
    "weekday",
    "day",
    "month",
)


L = TypeVar("L", "CaseLine", "ContactLine")


class PeriodError(ValueError):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def last_year(self) -> Period:
        return Period(_year_before(self.since), _year_before(self.until))


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _date(text: str, what: str | Promise) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(_("%(what)s is not a date (YYYY-MM-DD).") % {"what": what}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PeriodError(_("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR})
    return day


def parse_period(since: str | None, until: str | None, today: dt.date) -> Period:
    """From–to days (this month so far when neither is given)."""
    start = _date(since, _("The first day")) if since else None
    end = _date(until, _("The last day")) if until else None
    if start is None and end is None:
        return Period(today.replace(day=1), today)
    if start is None:
        assert end is not None
        start = end.replace(day=1)
    if end is None:
        end = min(max(start, today), start + dt.timedelta(days=MAX_DAYS - 1))
    if end < start:
        raise PeriodError(_("The period ends before it starts."))
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError(_("The period may be at most two years; choose a shorter one."))
    return Period(start, end)


@dataclass(frozen=True)
class Scope:
    organisations: frozenset[int]
    supervised: frozenset[int] = frozenset()  # offices where figures per member of staff are shown

    def __bool__(self) -> bool:
        return bool(self.organisations)

    def narrowed(self, organisation: Organisation) -> Scope:
        """Only ``organisation``'s subtree (the caller checks it is in scope)."""
        below = set(
            Organisation.objects.using(read_alias())
            .filter(path__startswith=organisation.path)
            .values_list("pk", flat=True)
        )
        return Scope(self.organisations & below, self.supervised & below)


def scope_of(reports: Iterable[int], supervise: Iterable[int]) -> Scope:
    ids = frozenset(reports)
    return Scope(ids, frozenset(supervise) & ids)


# -- figures ---------------------------------------------------------------------------------------
@dataclass
class CaseLine:
    key: Any
    label: str
    opened: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    resolution_seconds: int = 0

    @property
    def in_time_percent(self) -> int | None:
        return round(self.resolved_in_time * 100 / self.resolved) if self.resolved else None

    @property
    def mean_days(self) -> float | None:
        return round(self.resolution_seconds / self.resolved / 86400, 1) if self.resolved else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "opened": self.opened,
            "resolved": self.resolved,
            "resolved_in_time": self.resolved_in_time,
            "in_time_percent": self.in_time_percent,
            "mean_resolution_days": self.mean_days,
        }


@dataclass
class ContactLine:
    key: Any
    label: str
    contacts: int = 0
    answered: int = 0
    timed: int = 0
    duration_seconds: int = 0

    @property
    def first_contact_percent(self) -> int | None:
        return round(self.answered * 100 / self.contacts) if self.contacts else None

    @property
    def mean_minutes(self) -> float | None:
        return round(self.duration_seconds / self.timed / 60, 1) if self.timed else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "contacts": self.contacts,
            "answered_at_first_contact": self.answered,
            "first_contact_percent": self.first_contact_percent,
            "mean_handling_minutes": self.mean_minutes,
        }


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def split(period: Period) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """The period as day ranges at its ends (inclusive) and its whole calendar months
    ``[first, end)`` in between (None when it holds no whole month): month rows for the middle,
    day rows only for the ends — a year is read as twelve month rows per key, not 365 day rows."""
    first = period.since if period.since.day == 1 else _next_month(period.since)
    end = period.until + dt.timedelta(days=1)
    if end.day != 1:
        end = end.replace(day=1)
    if first >= end:
        return [(period.since, period.until)], None
    ends = [(a, b) for a, b in ((period.since, first - dt.timedelta(days=1)), (end, period.until)) if a <= b]
    return ends, (first, end)


def case_rows(scope: Scope, period: Period) -> QuerySet[CaseDay]:
    """The day rows of the period in scope (a day-by-day view; the totals read :func:`_case_sources`)."""
    return CaseDay.objects.using(read_alias()).filter(_case_scope(scope), day__gte=period.since, day__lte=period.until)


def _case_scope(scope: Scope) -> Q:
    ids = sorted(scope.organisations)
    return Q(organisation_id__in=ids) | Q(unit_id__in=ids)


def _case_sources(scope: Scope, period: Period, *, month_field: bool = False) -> list[QuerySet[Any]]:
    """Day rows for the period's ends and month rows for its whole months; with ``month_field``
    both carry a ``month`` value to group by."""
    ends, months = split(period)
    where = _case_scope(scope)
    sources: list[QuerySet[Any]] = []
    for first, last in ends:
        rows = CaseDay.objects.using(read_alias()).filter(where, day__gte=first, day__lte=last)
        sources.append(rows.annotate(month=TruncMonth("day")) if month_field else rows)
    if months is not None:
        sources.append(CaseMonth.objects.using(read_alias()).filter(where, month__gte=months[0], month__lt=months[1]))
    return sources


def contact_rows(scope: Scope, period: Period) -> QuerySet[ContactDay]:
    """The day rows of the period in scope (day by day; totals read :func:`_contact_sources`)."""
    return ContactDay.objects.using(read_alias()).filter(
        organisation_id__in=sorted(scope.organisations), day__gte=period.since, day__lte=period.until
    )


def _contact_sources(
    scope: Scope, period: Period, month_model: Any = ContactMonth, *, organisations: Iterable[int] | None = None
) -> tuple[list[QuerySet[ContactDay]], QuerySet[Any] | None]:
    """Day rows for the period's ends and rows of ``month_model`` for its whole months."""
    ids = sorted(scope.organisations if organisations is None else organisations)
    ends, months = split(period)
    days = [
        ContactDay.objects.using(read_alias()).filter(organisation_id__in=ids, day__gte=first, day__lte=last)
        for first, last in ends
    ]
    if months is None:
        return days, None
    whole = month_model.objects.using(read_alias()).filter(
        organisation_id__in=ids, month__gte=months[0], month__lt=months[1]
    )
    return days, whole


def _names(model: Any, ids: set[Any], attribute: str) -> dict[Any, str]:
    if not ids:
        return {}
    return dict(model.objects.using(read_alias()).filter(pk__in=ids).values_list("pk", attribute))


def _labels(group: str, keys: set[Any]) -> dict[Any, str]:
    if group in ("organisation", "unit"):
        return _names(Organisation, keys, "name")
    if group == "service":
        return _names(Service, keys - {0}, "public_name") | {0: _("no service")}
    if group == "category":
        return _names(ServiceCategory, keys - {None}, "name") | {None: _("no category")}
    if group == "staff":
        users = User.objects.using(read_alias()).filter(pk__in=keys - {0})
        return {u.pk: u.get_full_name() or u.username for u in users} | {0: _("nobody named")}
    if group == "channel":
        return {k: str(v) for k, v in Channel.choices}
    if group == "direction":
        return {k: str(v) for k, v in Interaction.Direction.choices}
    if group == "outcome":
        return {k: str(v) for k, v in Interaction.Outcome.choices}
    if group == "weekday":
        return {k + 1: str(v) for k, v in WEEKDAYS.items()}
    if group == "hour":
        return {h: f"{h:02d}:00–{h:02d}:59" for h in range(24)}
    return {}


def _key_value(group: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()[:7] if group == "month" else value.isoformat()
    return value


def _case_sums() -> dict[str, Sum]:
    return {
        "s_opened": Sum("opened"),
        "s_resolved": Sum("resolved"),
        "s_resolved_in_time": Sum("resolved_in_time"),
        "s_resolution_seconds": Sum("resolution_seconds"),
    }


def _contact_sums() -> dict[str, Sum]:
    return {
        "s_contacts": Sum("contacts"),
        "s_answered": Sum("contacts", filter=Q(outcome=Interaction.Outcome.ANSWERED)),
        "s_timed": Sum("timed"),
        "s_duration_seconds": Sum("duration_seconds"),
    }


def _sum_into(lines: dict[Any, Any], key: Any, make: Any, values: dict[str, Any], names: Iterable[str]) -> None:
    _add(lines.setdefault(key, make(key, "")), values, names)


def cases(scope: Scope, period: Period, group: str | None = None) -> list[CaseLine]:
    """Case figures, in total (one line) or per ``group`` (one of :data:`CASE_GROUPS`)."""
    sums = _case_sums()
    if group is None:
        total = CaseLine(None, _("All cases"))
        for rows in _case_sources(scope, period):
            _add(total, rows.aggregate(**sums), sums)
        return [total]
    grouped: dict[Any, CaseLine] = {}
    if group == "unit":
        # the assigned unit, or the jurisdiction of a case assigned to none
        for rows in _case_sources(scope, period):
            for values in rows.values("organisation_id", "unit_id").annotate(**sums):
                _sum_into(grouped, values["unit_id"] or values["organisation_id"], CaseLine, values, sums)
        labels = _labels("unit", set(grouped))
        for line in grouped.values():
            line.label = labels.get(line.key, "—")
        return sorted(grouped.values(), key=lambda line: (-line.opened, line.label))
    field_name = {"organisation": "organisation_id", "service": "service_id", "category": "category_id"}.get(
        group, group
    )
    if group == "day":
        sources: list[QuerySet[Any]] = [case_rows(scope, period)]
    else:
        sources = _case_sources(scope, period, month_field=group == "month")
    for rows in sources:
        for values in rows.values(field_name).annotate(**sums).order_by(field_name):
            _sum_into(grouped, _key_value(group, values[field_name]), CaseLine, values, sums)
    return _labelled(group, [grouped[key] for key in sorted(grouped, key=_sort_key)])


def _sort_key(key: Any) -> tuple[int, Any]:
    return (0, "") if key is None else (1, key)


def contacts(scope: Scope, period: Period, group: str | None = None) -> list[ContactLine]:
    """Contact figures, in total or per ``group`` (one of :data:`CONTACT_GROUPS`); per ``staff``
    only the offices of ``scope.supervised`` count."""
    sums = _contact_sums()
    if group is None:
        total = ContactLine(None, _("All contacts"))
        days, whole = _contact_sources(scope, period)
        for rows in [*days, *([whole] if whole is not None else [])]:
            _add(total, rows.aggregate(**sums), sums)
        return [total]
    found: dict[Any, ContactLine] = {}
    field_name = {"organisation": "organisation_id", "service": "service_id", "staff": "staff_id"}.get(group, group)
    if group == "day":
        for values in contact_rows(scope, period).values("day").annotate(**sums):
            _sum_into(found, _key_value(group, values["day"]), ContactLine, values, sums)
    else:
        month_model = {"staff": ContactMonthStaff, "hour": ContactMonthHour, "weekday": ContactMonthHour}.get(
            group, ContactMonth
        )
        days, whole = _contact_sources(
            scope, period, month_model, organisations=scope.supervised if group == "staff" else None
        )
        for rows in days:
            if group == "weekday":
                rows = rows.annotate(weekday=ExtractIsoWeekDay("day"))
            if group == "month":
                rows = rows.annotate(month=TruncMonth("day"))
            for values in rows.values(field_name).annotate(**sums):
                _sum_into(found, _key_value(group, values[field_name]), ContactLine, values, sums)
        if whole is not None:
            for values in whole.values(field_name).annotate(**sums):
                _sum_into(found, _key_value(group, values[field_name]), ContactLine, values, sums)
    if group == "hour":  # every hour and every day of the week, also those without contacts
        found = {h: found.get(h, ContactLine(h, "")) for h in range(24)}
    if group == "weekday":
        found = {d: found.get(d, ContactLine(d, "")) for d in range(1, 8)}
    return _labelled(group, [found[key] for key in sorted(found, key=_sort_key)])


def _labelled(group: str, lines: list[L]) -> list[L]:
    labels = _labels(group, {line.key for line in lines})
    for line in lines:
        line.label = labels.get(line.key, str(line.key) if line.key is not None else "—")
    if group in ("organisation", "service", "category", "staff", "channel", "direction", "outcome"):
        lines.sort(key=lambda line: line.label)
    return lines


def backlog(scope: Scope) -> int:
    """Open cases now, in scope (a count on the read alias)."""
    ids = sorted(scope.organisations)
    return (
        Case.objects.using(read_alias())
        .filter(Q(organisation_id__in=ids) | Q(assigned_unit_id__in=ids), status__in=sorted(OPEN_STATUSES))
        .count()
    )


@dataclass
class KnowledgeLine:
    """Use of the knowledge base in a period: contacts answered from it at the desk (the desk's
    deflection from cases), and the public site's self-service — "was this helpful?" answers and
    searches (the searches are counted for the whole installation: they carry no office)."""

    answered: int = 0
    transferred: int = 0
    helpful: int = 0
    unhelpful: int = 0
    searches: int = 0
    searches_empty: int = 0

    @property
    def helpful_percent(self) -> int | None:
        answers = self.helpful + self.unhelpful
        return round(self.helpful * 100 / answers) if answers else None

    @property
    def searches_found_percent(self) -> int | None:
        return round((self.searches - self.searches_empty) * 100 / self.searches) if self.searches else None


def knowledge(scope: Scope, period: Period) -> KnowledgeLine:
    """Counts on the read alias over the period's instants (indexed by time)."""
    from okienko.knowledge.models import ArticleUse, Feedback, SearchLog
    from okienko.reports.rollups import day_range

    start, end = day_range(period.since)[0], day_range(period.until)[1]
    ids = sorted(scope.organisations)
    db = read_alias()
    uses = ArticleUse.objects.using(db).filter(organisation_id__in=ids, at__gte=start, at__lt=end)
    used = uses.aggregate(
        n_answered=Count("pk", filter=Q(outcome=ArticleUse.Outcome.ANSWERED)),
        n_transferred=Count("pk", filter=Q(outcome=ArticleUse.Outcome.TRANSFERRED)),
    )
    answers = (
        Feedback.objects.using(db)
        .filter(article__organisation_id__in=ids, at__gte=start, at__lt=end)
        .aggregate(n_helpful=Count("pk", filter=Q(helpful=True)), n_unhelpful=Count("pk", filter=Q(helpful=False)))
    )
    searches = (
        SearchLog.objects.using(db)
        .filter(source=SearchLog.Source.PORTAL, at__gte=start, at__lt=end)
        .aggregate(n_searches=Count("pk"), n_searches_empty=Count("pk", filter=Q(results=0)))
    )
    return KnowledgeLine(**{name[2:]: value or 0 for name, value in (used | answers | searches).items()})


@dataclass
class Dashboard:
    period: Period
    cases: CaseLine
    cases_last_year: CaseLine
    contacts: ContactLine
    contacts_last_year: ContactLine
    backlog: int
    cases_by: dict[str, list[CaseLine]] = field(default_factory=dict)
    contacts_by: dict[str, list[ContactLine]] = field(default_factory=dict)
    calls: calls_module.CallLine = field(default_factory=calls_module.CallLine)
    calls_last_year: calls_module.CallLine = field(default_factory=calls_module.CallLine)
    calls_by_queue: list[tuple[str, calls_module.CallLine]] = field(default_factory=list)
    knowledge: KnowledgeLine = field(default_factory=KnowledgeLine)
    knowledge_last_year: KnowledgeLine = field(default_factory=KnowledgeLine)

    @property
    def knowledge_percent(self) -> int | None:
        """Contacts answered from the knowledge base, of all contacts."""
        if not self.contacts.contacts:
            return None
        return min(100, round(self.knowledge.answered * 100 / self.contacts.contacts))


DASHBOARD_CASES = ("unit", "service", "channel")
DASHBOARD_CONTACTS = ("channel", "hour", "weekday", "organisation", "outcome", "staff")
GROUP_TITLES: dict[str, Promise] = {
    "organisation": gettext_lazy("By office or unit"),
    "unit": gettext_lazy("By unit"),
    "service": gettext_lazy("By service"),
    "category": gettext_lazy("By category"),
    "channel": gettext_lazy("By channel"),
    "direction": gettext_lazy("By direction"),
    "outcome": gettext_lazy("By outcome"),
    "staff": gettext_lazy("By member of staff"),
    "hour": gettext_lazy("By hour of the day"),
    "weekday": gettext_lazy("By day of the week"),
    "day": gettext_lazy("By day"),
    "month": gettext_lazy("By month"),
}

COLUMNS: dict[str, Promise] = {
    "organisation": gettext_lazy("Office or unit"),
    "unit": gettext_lazy("Unit"),
    "service": gettext_lazy("Service"),
    "category": gettext_lazy("Category"),
    "channel": gettext_lazy("Channel"),
    "direction": gettext_lazy("Direction"),
    "outcome": gettext_lazy("Outcome"),
    "staff": gettext_lazy("Member of staff"),
    "hour": gettext_lazy("Hour"),
    "weekday": gettext_lazy("Day of the week"),
    "day": gettext_lazy("Day"),
    "month": gettext_lazy("Month"),
}


def _add(line: Any, values: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        setattr(line, name[2:], getattr(line, name[2:]) + (values[name] or 0))


def _case_board(scope: Scope, period: Period) -> tuple[CaseLine, dict[str, list[CaseLine]]]:
    """The total and :data:`DASHBOARD_CASES` groupings from one grouped scan of each source."""
    sums = _case_sums()
    total = CaseLine(None, _("All cases"))
    found: dict[str, dict[Any, CaseLine]] = {group: {} for group in DASHBOARD_CASES}
    for rows in _case_sources(scope, period):
        for v in rows.values("organisation_id", "unit_id", "service_id", "channel").annotate(**sums):
            keys = {"unit": v["unit_id"] or v["organisation_id"], "service": v["service_id"], "channel": v["channel"]}
            _add(total, v, sums)
            for group, key in keys.items():
                _sum_into(found[group], key, CaseLine, v, sums)
    by = {group: _labelled(group, list(lines.values())) for group, lines in found.items()}
    by["unit"].sort(key=lambda line: (-line.opened, line.label))
    return total, by


def _contact_board(scope: Scope, period: Period) -> tuple[ContactLine, dict[str, list[ContactLine]]]:
    """The total and the groupings of :data:`DASHBOARD_CONTACTS` but staff: per source, one scan
    for office, channel and outcome, one for the hours and days of the week."""
    sums = _contact_sums()
    total = ContactLine(None, _("All contacts"))
    found: dict[str, dict[Any, ContactLine]] = {"channel": {}, "organisation": {}, "outcome": {}}
    days, whole = _contact_sources(scope, period)
    for rows in [*days, *([whole] if whole is not None else [])]:
        for v in rows.values("organisation_id", "channel", "outcome").annotate(**sums):
            _add(total, v, sums)
            for group, key in (
                ("channel", v["channel"]),
                ("organisation", v["organisation_id"]),
                ("outcome", v["outcome"]),
            ):
                _sum_into(found[group], key, ContactLine, v, sums)
    hours = {h: ContactLine(h, "") for h in range(24)}
    weekdays = {d: ContactLine(d, "") for d in range(1, 8)}
    for rows in days:
        for v in rows.values("day", "hour").annotate(**sums):
            _add(hours[v["hour"]], v, sums)
            _add(weekdays[v["day"].isoweekday()], v, sums)
    _days, by_hour = _contact_sources(scope, period, ContactMonthHour)
    if by_hour is not None:
        for v in by_hour.values("weekday", "hour").annotate(**sums):
            _add(hours[v["hour"]], v, sums)
            _add(weekdays[v["weekday"]], v, sums)
    found["hour"], found["weekday"] = dict(hours), dict(weekdays)
    by = {group: _labelled(group, list(found[group].values())) for group in DASHBOARD_CONTACTS if group in found}
    return total, by


def dashboard(scope: Scope, period: Period) -> Dashboard:
    before = period.last_year()
    case_total, cases_by = _case_board(scope, period)
    contact_total, contacts_by = _contact_board(scope, period)
    if scope.supervised:
        contacts_by["staff"] = contacts(scope, period, "staff")
    by_queue = calls_module.by_queue(scope.organisations, period.since, period.until)
    names = dict(PhoneQueue.objects.using(read_alias()).filter(code__in=sorted(by_queue)).values_list("code", "name"))
    return Dashboard(
        period=period,
        cases=case_total,
        cases_last_year=cases(scope, before)[0],
        contacts=contact_total,
        contacts_last_year=contacts(scope, before)[0],
        backlog=backlog(scope),
        cases_by=cases_by,
        contacts_by=contacts_by,
        calls=calls_module.totals(scope.organisations, period.since, period.until),
        calls_last_year=calls_module.totals(scope.organisations, before.since, before.until),
        calls_by_queue=sorted(((names.get(code, code), line) for code, line in by_queue.items()), key=lambda x: x[0]),
        knowledge=knowledge(scope, period),
        knowledge_last_year=knowledge(scope, before),
    )
