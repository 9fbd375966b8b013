"""The desk page importing area boundaries (ADR 0071): for the organisation's administrators only,
the outcome and the rejected features on screen and as CSV, refusals without a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.reports.area_models import Area, AreaImport
from tests.cases.conftest import City
from tests.portal.test_fuzzing import HOSTILE, SETTINGS
from tests.reports.test_areas import collection, feature

pytestmark = pytest.mark.django_db

PAGE = "/desk/reports/map/obszary/"
CSV = "/desk/reports/map/obszary/odrzucone.csv"


def _http(user: Any) -> WebClient:
    http = WebClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(user)
    return http


@pytest.fixture
def admin(city: City, make_user: Any) -> Any:
    return make_user("admin", roles=[(city.city, Role.ADMINISTRATOR)])


def _post(http: WebClient, city: City, data: bytes, **extra: Any) -> Any:
    upload = SimpleUploadedFile("dzielnice.geojson", data, content_type="application/geo+json")
    return http.post(PAGE, {"organisation": city.city.pk, "kind": "district", "file": upload, **extra})


def test_an_administrator_imports_and_downloads_the_rejections(city: City, admin: Any) -> None:
    http = _http(admin)
    assert http.get(PAGE).status_code == 200
    response = _post(http, city, collection(feature("Bałuty", "b"), feature(None, "x")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rejected features" in html
    assert "The name (nazwa) is missing." in html
    assert "Bałuty" in html
    assert Area.objects.get().imported_by == admin
    assert AuditRecord.objects.filter(action="reports.areas_imported", actor_id=admin.pk).exists()
    record = AreaImport.objects.get()
    csv = http.get(CSV, {"import": record.pk})
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.getvalue().decode()
    assert "2,name,The name (nazwa) is missing." in text
    page = _http(city.supervisor)  # reports.view only: may not import
    assert page.get(PAGE).status_code == 403
    assert page.get(CSV, {"import": record.pk}).status_code == 403
    map_page = http.get("/desk/reports/map/").content.decode()
    assert PAGE in map_page


def test_refusals_are_shown_and_change_nothing(city: City, admin: Any) -> None:
    http = _http(admin)
    _post(http, city, collection(feature("Bałuty", "b")))
    refused = _post(http, city, b"<kml/>", replace="on")
    assert refused.status_code == 400
    assert "not GeoJSON" in refused.content.decode()
    assert 'role="alert"' in refused.content.decode()
    checked = _post(http, city, collection(feature("Widzew", "w")), dry_run="on", replace="on")
    assert "nothing saved" in checked.content.decode()
    assert list(Area.objects.values_list("name", flat=True)) == ["Bałuty"]
    assert http.post(PAGE, {"organisation": city.city.pk, "kind": "district"}).status_code == 400  # no file


def test_another_organisations_administrator_gets_nothing(city: City, admin: Any, make_user: Any) -> None:
    _post(_http(admin), city, collection(feature("Bałuty", "b"), feature(None, "x")))
    stranger = _http(make_user("stranger", roles=[(city.other_city, Role.ADMINISTRATOR)]))
    html = stranger.get(PAGE).content.decode()
    assert "Bałuty" not in html
    assert city.city.name not in html
    assert _post(stranger, city, collection(feature("Obce", "o"))).status_code == 400
    assert not Area.objects.filter(name="Obce").exists()
    assert stranger.get(CSV, {"import": AreaImport.objects.get().pk}).status_code == 404


@SETTINGS
@given(
    key=st.sampled_from(["organisation", "kind", "name_property", "code_property", "replace", "dry_run", "file"]),
    text=HOSTILE,
)
def test_hostile_forms_never_fail(city: City, admin: Any, key: str, text: str) -> None:
    http = _http(admin)
    fields: dict[str, Any] = {"organisation": str(city.city.pk), "kind": "district"}
    if key == "file":
        fields["file"] = SimpleUploadedFile("x.geojson", text.encode("utf-8", "replace"))
    else:
        fields["file"] = SimpleUploadedFile("x.geojson", collection(feature("A", "a")))
        fields[key] = text
    assert http.post(PAGE, fields).status_code in (200, 400)
    assert http.get(CSV, {"import": text}).status_code in (200, 400, 404)
