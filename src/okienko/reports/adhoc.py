"""Ad hoc reports (issue 20, item 5; ADR 0069): a definition over one of three sources — cases,
contacts (interactions of every channel) and calls (the telephony event log) — made only of names
from a whitelist: fields, filters, at most two grouping dimensions of low cardinality, measures.

A definition is plain JSON (``Definition.as_json``) and is checked by :func:`parse` whenever it
comes in: from the builder's query string, from a saved report on load and on save. It never holds
a scope: :func:`base` always narrows the rows to the organisations where the *reader* may see
reports, so a shared or guessed report grants nothing. No field carries personal data (no client,
reporter, description, address, caller's number or staff member), so the builder needs no per-role
field list. Every read goes through ``read_alias()`` (the replica when there is one).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import (
    Cast,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncDate,
    TruncMonth,
    TruncWeek,
)
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.cases.models import Case
from okienko.cases.workflow import FINISHED_STATUSES, Status
from okienko.core import clock
from okienko.core.choices import Channel
from okienko.core.csvstream import Echo
from okienko.interactions.models import Interaction
from okienko.reports.routers import read_alias
from okienko.telephony.engine import events as call_events
from okienko.telephony.models import CallEventRecord, PhoneQueue

MAX_YEARS = 10
MAX_DAYS = MAX_YEARS * 366
MAX_GROUP_BY = 2
MAX_FIELDS = 30
CHUNK = 2000

Label = str | Promise


class DefinitionError(ValueError):
    """A definition outside the whitelist; ``reasons`` say why, readable by the person who made it."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Measure:
    label: Label
    aggregate: Callable[[], Any] | None  # None: computed from other aggregates (see ``_finish``)
    kind: str = "int"  # int | hours | share | seconds


@dataclass(frozen=True)
class Source:
    name: str
    label: Label
    model: type[Model]
    moment: str  # the field the period applies to
    fields: Mapping[str, tuple[Label, Any]]  # name → (label, expression or field path)
    dimensions: Mapping[str, tuple[Label, Any]]  # name → (label, expression)
    measures: Mapping[str, Measure]
    filters: tuple[str, ...]
    default_fields: tuple[str, ...]
    dates: frozenset[str] = frozenset()


def _local(expression: type[Any], name: str) -> Any:
    return expression(name, tzinfo=clock.WARSAW)


def _time_dimensions(moment: str) -> dict[str, tuple[Label, Any]]:
    return {
        "day": (pgettext_lazy("report dimension", "day"), _local(TruncDate, moment)),
        "week": (pgettext_lazy("report dimension", "week"), _local(TruncWeek, moment)),
        "month": (pgettext_lazy("report dimension", "month"), _local(TruncMonth, moment)),
        "hour": (pgettext_lazy("report dimension", "hour"), _local(ExtractHour, moment)),
        "weekday": (pgettext_lazy("report dimension", "day of the week"), _local(ExtractIsoWeekDay, moment)),
    }


_FINISHED = list(FINISHED_STATUSES)
_RESOLUTION = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())


def _past_deadline() -> Q:
    return Q(resolve_due__isnull=False) & (
        Q(resolved_at__gt=F("resolve_due")) | Q(resolved_at__isnull=True, resolve_due__lt=clock.now())
    )


CASES = Source(
    name="cases",
    label=pgettext_lazy("report source", "cases"),
    model=Case,
    moment="created_at",
    fields={
        "number": (pgettext_lazy("export column", "case number"), F("number")),
        "status": (pgettext_lazy("export column", "status"), F("status")),
        "service_code": (pgettext_lazy("export column", "service code"), F("service__code")),
        "service": (pgettext_lazy("export column", "service"), F("service__public_name")),
        "category": (pgettext_lazy("export column", "category"), F("service__category__name")),
        "organisation": (pgettext_lazy("export column", "office"), F("organisation__name")),
        "unit": (pgettext_lazy("export column", "unit"), F("assigned_unit__name")),
        "channel": (pgettext_lazy("export column", "channel"), F("channel")),
        "priority": (pgettext_lazy("export column", "priority"), F("priority")),
        "district": (pgettext_lazy("export column", "district or gmina"), F("gmina__name")),
        "created_at": (pgettext_lazy("export column", "registered"), F("created_at")),
        "responded_at": (pgettext_lazy("export column", "first response"), F("responded_at")),
        "resolve_due": (pgettext_lazy("export column", "deadline"), F("resolve_due")),
        "resolved_at": (pgettext_lazy("export column", "resolved"), F("resolved_at")),
        "closed_at": (pgettext_lazy("export column", "closed"), F("closed_at")),
        "escalation_level": (pgettext_lazy("export column", "escalation level"), F("escalation_level")),
    },
    dimensions={
        "service": (pgettext_lazy("report dimension", "service"), F("service__public_name")),
        "category": (pgettext_lazy("report dimension", "category"), F("service__category__name")),
        "organisation": (pgettext_lazy("report dimension", "organisation"), F("organisation__name")),
        "unit": (pgettext_lazy("report dimension", "unit"), F("assigned_unit__name")),
        "channel": (pgettext_lazy("report dimension", "channel"), F("channel")),
        "status": (pgettext_lazy("report dimension", "status"), F("status")),
        "priority": (pgettext_lazy("report dimension", "priority"), F("priority")),
        **_time_dimensions("created_at"),
    },
    measures={
        "count": Measure(pgettext_lazy("report measure", "cases"), lambda: Count("pk")),
        "open": Measure(pgettext_lazy("report measure", "open"), lambda: Count("pk", filter=~Q(status__in=_FINISHED))),
        "closed": Measure(
            pgettext_lazy("report measure", "closed"), lambda: Count("pk", filter=Q(status__in=_FINISHED))
        ),
        "mean_hours": Measure(
            pgettext_lazy("report measure", "mean hours to resolution"),
            lambda: Avg(_RESOLUTION, filter=Q(resolved_at__isnull=False)),
            "hours",
        ),
        "median_hours": Measure(pgettext_lazy("report measure", "median hours to resolution"), None, "hours"),
        "past_deadline": Measure(
            pgettext_lazy("report measure", "share past the deadline"),
            lambda: Count("pk", filter=_past_deadline()),
            "share",
        ),
    },
    filters=("service", "organisation", "unit", "status", "channel"),
    default_fields=("number", "status", "service", "organisation", "channel", "created_at", "resolved_at"),
    dates=frozenset({"created_at", "responded_at", "resolve_due", "resolved_at", "closed_at"}),
)

_HANDLING = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())

CONTACTS = Source(
    name="contacts",
    label=pgettext_lazy("report source", "contacts"),
    model=Interaction,
    moment="started_at",
    fields={
        "started_at": (pgettext_lazy("export column", "started"), F("started_at")),
        "ended_at": (pgettext_lazy("export column", "ended"), F("ended_at")),
        "channel": (pgettext_lazy("export column", "channel"), F("channel")),
        "direction": (pgettext_lazy("export column", "direction"), F("direction")),
        "outcome": (pgettext_lazy("export column", "outcome"), F("outcome")),
        "service": (pgettext_lazy("export column", "service"), F("service__public_name")),
        "category": (pgettext_lazy("export column", "category"), F("service__category__name")),
        "organisation": (pgettext_lazy("export column", "office"), F("organisation__name")),
        "case_number": (pgettext_lazy("export column", "case number"), F("case__number")),
    },
    dimensions={
        "service": (pgettext_lazy("report dimension", "service"), F("service__public_name")),
        "category": (pgettext_lazy("report dimension", "category"), F("service__category__name")),
        "organisation": (pgettext_lazy("report dimension", "organisation"), F("organisation__name")),
        "channel": (pgettext_lazy("report dimension", "channel"), F("channel")),
        "direction": (pgettext_lazy("report dimension", "direction"), F("direction")),
        "outcome": (pgettext_lazy("report dimension", "outcome"), F("outcome")),
        **_time_dimensions("started_at"),
    },
    measures={
        "count": Measure(pgettext_lazy("report measure", "contacts"), lambda: Count("pk")),
        "with_case": Measure(
            pgettext_lazy("report measure", "with a case"), lambda: Count("pk", filter=Q(case__isnull=False))
        ),
        "mean_minutes": Measure(
            pgettext_lazy("report measure", "mean handling minutes"),
            lambda: Avg(_HANDLING, filter=Q(ended_at__isnull=False)),
            "minutes",
        ),
    },
    filters=("service", "organisation", "channel"),
    default_fields=("started_at", "channel", "direction", "outcome", "service", "organisation"),
    dates=frozenset({"started_at", "ended_at"}),
)

CALL_KINDS = (call_events.QUEUE_ENTER, call_events.CONNECT, call_events.ABANDON)
_QUEUE_OFFICE = Subquery(PhoneQueue.objects.filter(code=OuterRef("queue")).values("organisation__name")[:1])
_WAITED = Cast(KeyTextTransform("waited", "data"), FloatField())

CALLS = Source(
    name="calls",
    label=pgettext_lazy("report source", "calls"),
    model=CallEventRecord,
    moment="at",
    fields={
        "at": (pgettext_lazy("export column", "time"), F("at")),
        "event": (pgettext_lazy("export column", "event"), F("kind")),
        "queue": (pgettext_lazy("export column", "queue"), F("queue")),
        "organisation": (pgettext_lazy("export column", "office"), _QUEUE_OFFICE),
        "waited": (pgettext_lazy("export column", "seconds waited"), _WAITED),
    },
    dimensions={
        "queue": (pgettext_lazy("report dimension", "queue"), F("queue")),
        "organisation": (pgettext_lazy("report dimension", "organisation"), _QUEUE_OFFICE),
        "event": (pgettext_lazy("report dimension", "event"), F("kind")),
        **_time_dimensions("at"),
    },
    measures={
        "offered": Measure(
            pgettext_lazy("report measure", "offered"), lambda: Count("pk", filter=Q(kind=call_events.QUEUE_ENTER))
        ),
        "answered": Measure(
            pgettext_lazy("report measure", "answered"), lambda: Count("pk", filter=Q(kind=call_events.CONNECT))
        ),
        "abandoned": Measure(
            pgettext_lazy("report measure", "abandoned"), lambda: Count("pk", filter=Q(kind=call_events.ABANDON))
        ),
        "mean_wait": Measure(
            pgettext_lazy("report measure", "mean wait (seconds)"),
            lambda: Avg(_WAITED, filter=Q(kind=call_events.CONNECT)),
            "seconds",
        ),
    },
    filters=("organisation", "queue"),
    default_fields=("at", "event", "queue", "organisation", "waited"),
    dates=frozenset({"at"}),
)

SOURCES: dict[str, Source] = {s.name: s for s in (CASES, CONTACTS, CALLS)}

# Names people try that are free text (or personal data): refused with their own reason.
FREE_TEXT = frozenset(
    {
        "description",
        "title",
        "subject",
        "question",
        "notes",
        "note",
        "address",
        "reporter",
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "client",
        "contact_name",
        "contact_detail",
        "contact_address",
        "caller",
        "number",
        "case_number",
        "reference_number",
        "agent",
        "staff",
        "text",
        "body",
    }
)

FILTER_LABELS: dict[str, Label] = {
    "service": pgettext_lazy("report filter", "service code"),
    "organisation": pgettext_lazy("report filter", "organisation or unit code"),
    "unit": pgettext_lazy("report filter", "assigned unit code"),
    "status": pgettext_lazy("report filter", "status"),
    "channel": pgettext_lazy("report filter", "channel"),
    "queue": pgettext_lazy("report filter", "phone queue code"),
}
STATUS_CHOICES = ("open", "closed", *sorted(str(v) for v in Status.values))


def status_choices() -> list[tuple[str, Any]]:
    """The status filter's options: open or closed, or one status, by their names."""
    return [
        ("open", pgettext_lazy("cases filter", "open")),
        ("closed", pgettext_lazy("cases filter", "closed")),
        *Status.choices,
    ]


@dataclass(frozen=True)
class Definition:
    source: str
    since: dt.date
    until: dt.date  # inclusive
    filters: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    measures: tuple[str, ...] = ("count",)

    @property
    def spec(self) -> Source:
        return SOURCES[self.source]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(since=self.since.isoformat(), until=self.until.isoformat())
        data.update(fields=list(self.fields), group_by=list(self.group_by), measures=list(self.measures))
        return data


def _text(value: Any, limit: int = 80) -> str:
    """A filter's value: stripped, bounded, without control characters (PostgreSQL refuses NUL)."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch >= " ").strip()[:limit]


def _names(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse(data: Any) -> Definition:
    """A definition from JSON-like data, or :class:`DefinitionError` with every reason."""
    if not isinstance(data, Mapping):
        raise DefinitionError([_("The report definition is not readable.")])
    reasons: list[str] = []
    source = data.get("source") or "cases"
    if source not in SOURCES:
        raise DefinitionError([_("Unknown source of data: choose cases, contacts or calls.")])
    spec = SOURCES[source]
    since, until = _date(data.get("since")), _date(data.get("until"))
    if since is None or until is None:
        reasons.append(_("Give the period: both dates are required (YYYY-MM-DD)."))
    elif until < since:
        reasons.append(_("The period ends before it starts."))
    elif since.year < 2000 or until.year > 2100:
        reasons.append(_("Choose dates between 2000 and 2100."))
    elif (until - since).days > MAX_DAYS:
        reasons.append(_("The period may be at most ten years; split a longer period into several reports."))
    filters_in = data.get("filters") or {}
    filters: dict[str, str] = {}
    if not isinstance(filters_in, Mapping):
        reasons.append(_("The filters are not readable."))
        filters_in = {}
    for key, value in filters_in.items():
        text = _text(value)
        if not text:
            continue
        if key not in spec.filters:
            reasons.append(_("The filter “%(name)s” does not apply to this source.") % {"name": str(key)[:40]})
        elif key == "status" and text not in STATUS_CHOICES:
            reasons.append(_("Unknown status “%(value)s”.") % {"value": text[:40]})
        elif key == "channel" and text not in Channel.values:
            reasons.append(_("Unknown channel “%(value)s”.") % {"value": text[:40]})
        else:
            filters[key] = text
    fields = _names(data.get("fields"))
    group_by = _names(data.get("group_by"))
    measures = _names(data.get("measures"))
    if fields is None or group_by is None or measures is None:
        raise DefinitionError([*reasons, _("Fields, groupings and measures must be lists of names.")])
    for name in fields:
        if name not in spec.fields:
            reasons.append(_("The field “%(name)s” cannot be reported.") % {"name": name[:40]})
    if len(fields) > MAX_FIELDS:
        reasons.append(_("At most %(count)d fields.") % {"count": MAX_FIELDS})
    if len(group_by) > MAX_GROUP_BY:
        reasons.append(_("Group by at most two dimensions."))
    if len(set(group_by)) != len(group_by):
        reasons.append(_("Each dimension may be chosen once."))
    for name in group_by:
        if name in spec.dimensions:
            continue
        if name in FREE_TEXT:
            reasons.append(
                _(
                    "“%(name)s” is free text (or a person's data) and cannot be grouped by: "
                    "every row would be a group of its own."
                )
                % {"name": name[:40]}
            )
        else:
            reasons.append(_("“%(name)s” is not a dimension of this source.") % {"name": name[:40]})
    for name in measures:
        if name not in spec.measures:
            reasons.append(_("The measure “%(name)s” is not known for this source.") % {"name": name[:40]})
    if reasons:
        raise DefinitionError(reasons)
    assert since is not None
    assert until is not None
    return Definition(
        source=source,
        since=since,
        until=until,
        filters=filters,
        fields=tuple(dict.fromkeys(fields)) or spec.default_fields,
        group_by=tuple(group_by),
        measures=tuple(dict.fromkeys(measures)) or (next(iter(spec.measures)),),
    )


# -- running ------------------------------------------------------------------------------


def _period(definition: Definition) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(definition.since, dt.time(), tzinfo=clock.WARSAW)
    end = dt.datetime.combine(definition.until + dt.timedelta(days=1), dt.time(), tzinfo=clock.WARSAW)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _units(code: str, scope: Sequence[int]) -> list[int]:
    """The organisation with ``code`` and everything under it, if it is in the scope."""
    org = Organisation.objects.using(read_alias()).filter(code=code, pk__in=scope).first()
    if org is None:
        return []
    below = Organisation.objects.using(read_alias()).filter(path__startswith=org.path, pk__in=scope)
    return list(below.values_list("pk", flat=True))


def base(definition: Definition, scope: Sequence[int]) -> QuerySet[Any]:
    """The rows of the definition that the reader (``scope``: organisations where they may see
    reports) may see, in the period and matching the filters."""
    spec = definition.spec
    start, end = _period(definition)
    rows: QuerySet[Any] = spec.model._default_manager.using(read_alias()).filter(
        **{f"{spec.moment}__gte": start, f"{spec.moment}__lt": end}
    )
    f = definition.filters
    if spec is CASES:
        rows = rows.filter(Q(organisation_id__in=scope) | Q(assigned_unit_id__in=scope))
        if f.get("organisation"):
            rows = rows.filter(organisation_id__in=_units(f["organisation"], scope))
        if f.get("unit"):
            rows = rows.filter(assigned_unit_id__in=_units(f["unit"], scope))
        status = f.get("status", "")
        if status == "open":
            rows = rows.exclude(status__in=_FINISHED)
        elif status == "closed":
            rows = rows.filter(status__in=_FINISHED)
        elif status:
            rows = rows.filter(status=status)
    elif spec is CONTACTS:
        rows = rows.filter(organisation_id__in=scope)
        if f.get("organisation"):
            rows = rows.filter(organisation_id__in=_units(f["organisation"], scope))
    else:
        offices = list(scope)
        if f.get("organisation"):
            offices = _units(f["organisation"], scope)
        queues = PhoneQueue.objects.using(read_alias()).filter(organisation_id__in=offices).values("code")
        if f.get("queue"):
            queues = queues.filter(code=f["queue"])
        rows = rows.filter(kind__in=CALL_KINDS, queue__in=Subquery(queues))
    if f.get("service"):
        rows = rows.filter(service__code=f["service"])
    if f.get("channel"):
        rows = rows.filter(channel=f["channel"])
    return rows


def count(definition: Definition, scope: Sequence[int]) -> int:
    return base(definition, scope).count()


# -- grouped results ------------------------------------------------------------------------


def _dim(name: str) -> str:
    return f"g_{name}"


def grouped(definition: Definition, scope: Sequence[int]) -> QuerySet[Any]:
    """One row per combination of the grouping dimensions (ordered by them), with the measures
    that the database computes; :func:`finish` adds the rest (median, shares) to a page of them."""
    spec = definition.spec
    dims = {_dim(name): spec.dimensions[name][1] for name in definition.group_by}
    aggregates: dict[str, Any] = {"_count": Count("pk")}
    for name in definition.measures:
        measure = spec.measures[name]
        if measure.aggregate is not None and name != "count":
            aggregates[name] = measure.aggregate()
    rows: QuerySet[Any] = base(definition, scope).order_by().annotate(**dims).values(*dims).annotate(**aggregates)
    return rows.order_by(*dims) if dims else rows


def totals(definition: Definition, scope: Sequence[int]) -> dict[str, Any]:
    """The measures over all matching rows (the grouped table's footer, or the whole answer
    when there is no grouping)."""
    spec = definition.spec
    aggregates: dict[str, Any] = {"_count": Count("pk")}
    for name in definition.measures:
        measure = spec.measures[name]
        if measure.aggregate is not None and name != "count":
            aggregates[name] = measure.aggregate()
    row = base(definition, scope).aggregate(**aggregates)
    return finish(definition, scope, [row])[0]


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(float(value) / 3_600_000_000, 1)  # microseconds (SQLite's average of a duration)


def _minutes(value: Any) -> float | None:
    hours = _hours(value)
    return None if hours is None else round(hours * 60, 1)


def _median_hours(definition: Definition, scope: Sequence[int], row: Mapping[str, Any]) -> float | None:
    spec = definition.spec
    durations = base(definition, scope).filter(resolved_at__isnull=False)
    for name in definition.group_by:
        key = _dim(name)
        if key not in row:  # the footer (``totals``): the median over every group
            continue
        durations = durations.annotate(**{key: spec.dimensions[name][1]}).filter(**{key: row[key]})
    durations = durations.annotate(_d=_RESOLUTION).order_by("_d").values_list("_d", flat=True)
    total = durations.count()
    if not total:
        return None
    middle = list(durations[(total - 1) // 2 : total // 2 + 1])
    values = [_hours(v) or 0.0 for v in middle]
    return round(sum(values) / len(values), 1)


def finish(definition: Definition, scope: Sequence[int], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The measures of a page of grouped rows as numbers ready to show (``count`` included)."""
    done = []
    for row in rows:
        out = {key: value for key, value in row.items() if key.startswith("g_")}
        total = row["_count"] or 0
        for name in definition.measures:
            kind = definition.spec.measures[name].kind
            if name == "count":
                out[name] = total
            elif name == "median_hours":
                out[name] = _median_hours(definition, scope, row) if total else None
            elif kind == "hours":
                out[name] = _hours(row.get(name))
            elif kind == "minutes":
                out[name] = _minutes(row.get(name))
            elif kind == "share":
                out[name] = round(100 * (row.get(name) or 0) / total, 1) if total else None
            elif kind == "seconds":
                value = row.get(name)
                out[name] = None if value is None else round(float(value), 1)
            else:
                out[name] = row.get(name) or 0
        out["_count"] = total
        done.append(out)
    return done


def _choice_labels() -> dict[str, dict[str, Any]]:
    from okienko.cases.models import Priority

    return {
        "channel": dict(Channel.choices),
        "status": dict(Status.choices),
        "priority": dict(Priority.choices),
        "direction": dict(Interaction.Direction.choices),
        "outcome": dict(Interaction.Outcome.choices),
    }


def dimension_text(name: str, value: Any) -> str:
    """A grouping value as shown and exported (coded values by their names, dates ISO, weekdays
    and hours named)."""
    if value is None or value == "":
        return pgettext("report value", "(none)")
    labels = _choice_labels().get(name)
    if labels is not None and isinstance(value, str):
        return str(labels.get(value, value))
    if name == "weekday" and isinstance(value, int) and 1 <= value <= 7:
        return [
            pgettext("weekday", "Monday"),
            pgettext("weekday", "Tuesday"),
            pgettext("weekday", "Wednesday"),
            pgettext("weekday", "Thursday"),
            pgettext("weekday", "Friday"),
            pgettext("weekday", "Saturday"),
            pgettext("weekday", "Sunday"),
        ][value - 1]
    if name == "hour" and isinstance(value, int):
        return f"{value:02d}:00"
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.WARSAW).date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def group_header(definition: Definition) -> list[str]:
    spec = definition.spec
    return [str(spec.dimensions[n][0]) for n in definition.group_by] + [
        str(spec.measures[n].label) for n in definition.measures
    ]


def group_cells(definition: Definition, row: Mapping[str, Any]) -> list[Any]:
    return [dimension_text(n, row[_dim(n)]) for n in definition.group_by] + [row[n] for n in definition.measures]


def group_rows(definition: Definition, scope: Sequence[int]) -> Iterator[list[Any]]:
    """Every group, streamed (a grouped export)."""
    batch: list[Mapping[str, Any]] = []
    for row in grouped(definition, scope).iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= 200:
            yield from (group_cells(definition, r) for r in finish(definition, scope, batch))
            batch = []
    yield from (group_cells(definition, r) for r in finish(definition, scope, batch))


# -- detail rows ------------------------------------------------------------------------------


def detail_header(definition: Definition) -> list[str]:
    return [str(definition.spec.fields[name][0]) for name in definition.fields]


def detail_query(definition: Definition, scope: Sequence[int]) -> QuerySet[Any]:
    spec = definition.spec
    columns = {f"f_{name}": spec.fields[name][1] for name in definition.fields}
    return base(definition, scope).order_by(spec.moment, "pk").values(**columns)


def detail_cells(definition: Definition, row: Mapping[str, Any]) -> list[Any]:
    out = []
    for name in definition.fields:
        value = row[f"f_{name}"]
        if isinstance(value, dt.datetime):
            value = value.astimezone(clock.WARSAW)
        out.append(value)
    return out


def detail_rows(definition: Definition, scope: Sequence[int]) -> Iterator[list[Any]]:
    """Every matching row, streamed with a server-side cursor (flat memory)."""
    for row in detail_query(definition, scope).iterator(chunk_size=CHUNK):
        yield detail_cells(definition, row)


# -- files -------------------------------------------------------------------------------------


def cell_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return pgettext("export value", "yes") if value else pgettext("export value", "no")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # no formulas in a spreadsheet opened from the file
    return value


def csv_lines(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell_text(v) for v in row])


XLSX_ROWS = 1_048_575
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(target: IO[bytes] | str, header: list[str], rows: Iterator[list[Any]]) -> int:
    """Write an XLSX workbook in constant memory; return the rows written (a sheet's limit)."""
    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(pgettext("export sheet", "report")[:31])
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    written = 0
    for r, row in enumerate(rows, start=1):
        if r > XLSX_ROWS:
            break
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value.replace(tzinfo=None), when)
            elif isinstance(value, bool | dt.date):
                sheet.write_string(r, c, str(cell_text(value)))
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
        written = r
    book.close()
    return written


def xlsx_file(header: list[str], rows: Iterator[list[Any]]) -> IO[bytes]:
    target = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the response, which closes it
    write_xlsx(target, header, rows)
    target.seek(0)
    return target
