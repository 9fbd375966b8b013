"""Hot-spot detection, the early warning (issue 20, item 4): synthetic weeks of cases in grid cells,
the Poisson statistic, recording (audited, once per week and cell), the command, the task and the
panels of the map page and the dashboard."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.test import Client as WebClient

from okienko.accounts.roles import Role
from okienko.cases.models import Case
from okienko.core import events
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.notifications.models import Event, Notification
from okienko.reports import hotspots, tasks
from okienko.reports.hotspot_models import HotSpot
from tests.cases.conftest import POINT, City, open_pothole

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def _at(lat: str, lon: str) -> dict[str, str]:
    return {**POINT, "latitude": lat, "longitude": lon}


def _open(city: City, count: int, *, days_ago: float, lat: str = "51.7591", lon: str = "19.4571") -> None:
    """``count`` potholes at one place, registered ``days_ago`` before NOW."""
    with time_machine.travel(NOW, tick=False):
        opened = [open_pothole(city, location=_at(lat, lon)).pk for _ in range(count)]
    Case.objects.filter(pk__in=opened).update(created_at=F("created_at") - dt.timedelta(days=days_ago))


def test_poisson_tail() -> None:
    assert hotspots.poisson_tail(0, 3.0) == 1.0
    assert hotspots.poisson_tail(1, 2.0) == pytest.approx(1 - 0.1353352832, rel=1e-9)
    assert hotspots.poisson_tail(5, 1.0) == pytest.approx(0.0036598468, rel=1e-6)
    assert hotspots.poisson_tail(3, 0.0) == 0.0
    assert 0 < hotspots.poisson_tail(200, 100.0) < 1e-15
    assert hotspots.poisson_tail(50, 100.0) == pytest.approx(1.0, abs=1e-6)


def test_a_sudden_cluster_is_flagged_and_a_usual_one_is_not(city: City) -> None:
    # the cell of (51.759, 19.457): six cases this week, none before → flagged
    _open(city, 6, days_ago=1)
    # the cell of (51.7812, 19.4012): six this week, but six every week for eight weeks → usual
    for week in range(9):
        _open(city, 6, days_ago=1 + 7 * week, lat="51.7812", lon="19.4012")
    # a third cell: four this week, below the minimum count
    _open(city, 4, days_ago=2, lat="51.7305", lon="19.5005")
    flags = hotspots.detect(NOW)
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.count, flag.expected, flag.service_id) == (6, 0.0, city.pothole.pk)
    assert (flag.latitude, flag.longitude) == (51.755, 19.455)  # the cell's centre, not a case's point
    assert flag.p_value < hotspots.P_LIMIT
    # cases of another office are not in its detection
    assert hotspots.detect(NOW, organisations=[city.other_city.pk]) == []


def test_a_doubled_rate_is_not_enough_but_a_jump_is(city: City) -> None:
    for week in range(1, 9):
        _open(city, 3, days_ago=1 + 7 * week)
    _open(city, 6, days_ago=1)
    assert hotspots.detect(NOW) == []  # 6 against 3 a week: p ≈ 0.08
    _open(city, 6, days_ago=2)
    assert len(hotspots.detect(NOW)) == 1  # 12 against 3 a week: p < 0.001


def test_recording_is_audited_once_per_week_and_cell(city: City) -> None:
    _open(city, 6, days_ago=1)
    created = hotspots.run(NOW)
    assert len(created) == 1
    spot = HotSpot.objects.get()
    assert (spot.week, spot.count, spot.organisation_id) == (dt.date(2026, 11, 23), 6, city.city.pk)
    assert AuditRecord.objects.filter(action="reports.hotspot.flagged").count() == 1
    assert hotspots.run(NOW) == []  # the same week: nothing new
    _open(city, 2, days_ago=0.5)
    assert hotspots.run(NOW) == []
    spot.refresh_from_db()
    assert spot.count == 8
    assert AuditRecord.objects.filter(action="reports.hotspot.updated").count() == 1


def test_command_and_task(city: City) -> None:
    _open(city, 6, days_ago=1)
    out = StringIO()
    call_command("reports_hotspots", "--at", NOW.isoformat(), "--dry-run", stdout=out)
    assert "1 hot spots (not recorded)" in out.getvalue()
    assert not HotSpot.objects.exists()
    call_command("reports_hotspots", "--at", NOW.isoformat(), stdout=out)
    assert "1 new" in out.getvalue()
    with time_machine.travel(NOW, tick=False):
        assert tasks.detect_hotspots() == 0  # already recorded this week
    with pytest.raises(Exception, match="ISO"):
        call_command("reports_hotspots", "--at", "yesterday")


def test_the_panels_show_hot_spots_in_scope_only(city: City, make_user: Any) -> None:
    _open(city, 6, days_ago=1)
    hotspots.run(NOW)
    stranger = make_user("stranger", roles=[(city.other_city, Role.ANALYST)])
    head = make_user("head", roles=[(city.roads, Role.SUPERVISOR)])  # Roads runs potholes
    for user, sees in ((city.supervisor, True), (head, True), (stranger, False)):
        http = WebClient()
        http.force_login(user)
        with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
            for url in ("/desk/reports/map/", "/desk/reports/"):
                html = http.get(url).content.decode()
                assert ("Pothole" in html and ("51,755" in html or "51.755" in html)) is sees, (user.username, url)


def _deliver() -> None:
    for _round in range(50):
        if not events.deliver_due():
            break


def _told() -> list[Notification]:
    return list(Notification.objects.filter(event=Event.HOTSPOT_FLAGGED).order_by("recipient"))


def test_a_new_hot_spot_is_told_once_to_the_staff_who_act_on_it(city: City, make_user: Any) -> None:
    city.supervisor.email = "kierownik@lodz.example"  # reports.view in the case's office
    city.supervisor.save()
    head = make_user("head", roles=[(city.roads, Role.SUPERVISOR)])  # the unit running potholes
    head.email, head.preferred_language, head.first_name, head.last_name = "head@roads.example", "en", "Road", "Head"
    head.save()
    city.expert.email = "expert@roads.example"  # works on cases, no reports.view: not told
    city.expert.save()
    stranger = make_user("stranger", roles=[(city.other_city, Role.ANALYST)])  # reports of another city
    stranger.email = "analyst@other.example"
    stranger.save()
    _open(city, 6, days_ago=1)
    _deliver()  # the cases' own events first
    assert len(hotspots.run(NOW)) == 1
    spot = HotSpot.objects.get()
    _deliver()
    told = _told()
    assert [(n.recipient, n.language) for n in told] == [
        ("head@roads.example", "en"),
        ("kierownik@lodz.example", "pl"),
    ]
    english, polish = told
    assert polish.subject == "Wczesne ostrzeganie: skupisko zgłoszeń — Pothole"
    assert "Ostatnie siedem dni: 6 spraw; zwykle średnio 0,0 tygodniowo." in polish.body_text
    assert "51,755° N, 19,455° E" in polish.body_text
    assert f"/desk/reports/map/?since=2026-11-17&until=2026-11-23&service={city.pothole.pk}#map=15/51.7550/19.4550" in (
        polish.body_text
    )
    assert "/desk/reports/map/#hotspots-h" in polish.body_text
    assert "The last seven days: 6 cases; usually 0.0 a week on average." in english.body_text
    assert english.body_text.startswith("Dear Road Head,")
    assert all(n.status == Notification.Status.QUEUED for n in told)
    queued = AuditRecord.objects.filter(action="notification.queued", object_id__in=[str(n.pk) for n in told])
    assert queued.count() == 2
    event = OutboxEvent.objects.get(topic=hotspots.FLAGGED)
    assert (event.aggregate_id, event.organisation_id) == (str(spot.pk), city.city.pk)
    # a redelivered event queues nothing new
    from okienko.notifications.hotspots import on_hotspot_flagged

    on_hotspot_flagged(event)
    assert len(_told()) == 2
    # the same week again, and a count that grows: no new event, nobody told twice
    assert hotspots.run(NOW) == []
    _open(city, 3, days_ago=0.5)
    assert hotspots.run(NOW) == []
    spot.refresh_from_db()
    assert spot.count == 9
    _deliver()
    assert OutboxEvent.objects.filter(topic=hotspots.FLAGGED).count() == 1
    assert len(_told()) == 2


def test_polish_plural_forms_in_the_message(city: City) -> None:
    city.supervisor.email = "kierownik@lodz.example"
    city.supervisor.save()
    _open(city, 22, days_ago=1)
    _deliver()
    hotspots.run(NOW)
    _deliver()
    (told,) = _told()
    assert "Ostatnie siedem dni: 22 sprawy;" in told.body_text


def test_nobody_with_an_address_nobody_told(city: City) -> None:
    _open(city, 6, days_ago=1)
    _deliver()
    assert len(hotspots.run(NOW)) == 1
    _deliver()
    assert _told() == []


def test_hot_spots_in_the_admin_are_read_only(city: City, admin_client: WebClient) -> None:
    _open(city, 6, days_ago=1)
    hotspots.run(NOW)
    spot = HotSpot.objects.get()
    listing = admin_client.get(f"/admin/reports/hotspot/?organisation__id__exact={city.city.pk}")
    assert listing.status_code == 200
    assert "Pothole" in listing.content.decode()
    assert admin_client.get("/admin/reports/hotspot/add/").status_code == 403
    detail = admin_client.get(f"/admin/reports/hotspot/{spot.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
