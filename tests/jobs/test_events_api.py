"""``/api/v1/jobs/trainings/`` and ``/api/v1/jobs/events/``: public read of published items."""

from __future__ import annotations

from django.test import Client as HttpClient

from okienko.accounts.models import Organisation
from okienko.jobs.events import actions
from tests.jobs.events_helpers import event, training


def test_published_trainings_and_events_are_public_with_filters(region: Organisation, client: HttpClient) -> None:
    pup = Organisation.objects.get(code="pup-a")
    welding = training(region, title="Spawanie MIG", occupations=["721204"], funding="esf")
    driving = training(pup, occupations=["833201"], funding="participant", cost="1500.00")
    draft = training(pup, publish=False)
    actions.register(item=driving, name="Jan Kowalski", email="jan@example.org")
    body = client.get("/api/v1/jobs/trainings/").json()
    uuids = {row["uuid"] for row in body["results"]}
    assert uuids == {str(welding.uuid), str(driving.uuid)}
    assert "jan@example.org" not in str(body)
    assert str(draft.uuid) not in uuids
    only = client.get("/api/v1/jobs/trainings/", {"occupation": "7212"}).json()["results"]
    assert [r["uuid"] for r in only] == [str(welding.uuid)]
    free = client.get("/api/v1/jobs/trainings/", {"free": "true"}).json()["results"]
    assert [r["uuid"] for r in free] == [str(welding.uuid)]
    one = client.get(f"/api/v1/jobs/trainings/{driving.uuid}/").json()
    assert one["office"] == "pup-a"
    assert one["region_wide"] is False
    assert client.get(f"/api/v1/jobs/trainings/{draft.uuid}/").status_code == 404
    assert client.get("/api/v1/jobs/trainings/", {"occupation": "x"}).status_code == 400
    assert client.get("/api/v1/jobs/trainings/", {"funding": "x"}).status_code == 400
    assert client.get("/api/v1/jobs/trainings/", {"from": "2026-13-45"}).status_code == 400
    fair = event(pup)
    events = client.get("/api/v1/jobs/events/", {"kind": "job_fair"}).json()["results"]
    assert [r["uuid"] for r in events] == [str(fair.uuid)]
    assert client.get("/api/v1/jobs/events/", {"kind": "party"}).status_code == 400
    assert client.get("/api/v1/jobs/events/not-a-uuid/").status_code == 404
