"""Imported area boundaries (ADR 0071): the importer with real city files and hostile ones, its
re-import by code, the management command, and the audit entries."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from okienko.core.models import AuditRecord
from okienko.reports import areas
from okienko.reports.area_models import Area, AreaImport
from tests.cases.conftest import City

pytestmark = pytest.mark.django_db

# the shared data sets sit next to the repository: <repo>/../shared/data
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pl-teryt-admin-geo"
WROCLAW = DATA / "wroclaw-medium.geojson"
WARSZAWA = DATA / "warszawa-dzielnice.geojson"
needs_wroclaw = pytest.mark.skipif(not WROCLAW.exists(), reason="shared data set absent")
needs_warszawa = pytest.mark.skipif(not WARSZAWA.exists(), reason="shared data set absent")


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Assertions compare the English source messages."""
    from django.utils import translation

    with translation.override("en"):
        yield


SQUARE = [[[21.0, 52.2], [21.1, 52.2], [21.1, 52.3], [21.0, 52.3], [21.0, 52.2]]]


def collection(*features: Any, **extra: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def feature(
    name: str | None = "Śródmieście", code: str | None = "01", coordinates: Any = None, kind: str = "Polygon"
) -> Any:
    props: dict[str, Any] = {}
    if name is not None:
        props["nazwa"] = name
    if code is not None:
        props["kod"] = code
    return {"type": "Feature", "properties": props, "geometry": {"type": kind, "coordinates": coordinates or SQUARE}}


def run(city: City, data: bytes, **options: Any) -> areas.Outcome:
    return areas.import_areas(
        data, organisation=city.city, kind="district", actor=city.supervisor, source_name="plik.geojson", **options
    )


@needs_wroclaw
def test_wroclaw_osiedla_import_and_reimport_by_code(city: City) -> None:
    data = WROCLAW.read_bytes()
    first = areas.import_areas(
        data, organisation=city.city, kind="osiedle", actor=city.supervisor, source_name="w.geojson"
    )
    assert (first.created, first.rejected, first.name_property, first.code_property) == (48, [], "osiedle", "id")
    assert Area.objects.filter(organisation=city.city, kind="osiedle").count() == 48
    again = areas.import_areas(data, organisation=city.city, kind="osiedle", actor=city.supervisor)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 48)
    assert Area.objects.filter(organisation=city.city, kind="osiedle").count() == 48
    assert AuditRecord.objects.filter(action="reports.areas_imported").count() == 2
    sepolno = Area.objects.get(kind="osiedle", name__startswith="Biskupin")
    assert sepolno.code == "9"
    assert 16.8 < sepolno.west < sepolno.east < 17.2


@needs_warszawa
def test_warszawa_dzielnice_with_the_city_outline(city: City) -> None:
    outcome = run(city, WARSZAWA.read_bytes())
    assert outcome.created == 19
    assert not outcome.rejected
    assert outcome.code_property == ""  # no code property: the name as a slug
    assert Area.objects.get(name="Śródmieście").code == "srodmiescie"
    found = areas.shapes([city.city.pk], "district")
    assert areas.area_at(found, 52.2318, 21.0060) == Area.objects.get(name="Śródmieście").pk  # Palace of Culture
    assert areas.area_at(found, 52.2567, 21.0372) == Area.objects.get(name="Praga Północ").pk
    assert areas.area_at(found, 51.7592, 19.4560) is None  # Łódź


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json at all", "not-json"),
        (b"\xff\xfe\x00", "not-json"),
        (b"[" * 100_000 + b"]" * 100_000, "too-deep"),
        (json.dumps({"type": "Feature"}).encode(), "not-collection"),
        (collection(), "no-features"),
        (
            collection(feature(), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}),
            "not-wgs84",
        ),
        (
            collection(feature(coordinates=[[[637000, 486000], [638000, 486000], [638000, 487000], [637000, 486000]]])),
            "not-wgs84",
        ),
        (collection(feature(name=None)), "no-name"),
        (b" " * (areas.MAX_BYTES + 1), "too-large"),
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(city: City, data: bytes, reason: str) -> None:
    run(city, collection(feature()))
    with pytest.raises(areas.AreaImportRefused) as refused:
        run(city, data, replace=True)
    assert refused.value.reason == reason
    assert refused.value.message
    assert Area.objects.filter(organisation=city.city).count() == 1
    assert AreaImport.objects.filter(refusal="").count() == 1
    assert AuditRecord.objects.filter(action="reports.areas_import_refused").count() == 1


def test_bad_features_are_reported_and_the_good_ones_kept(city: City) -> None:
    open_ring = [[[21.0, 52.2], [21.1, 52.2], [21.1, 52.3], [21.0, 52.3]]]
    data = collection(
        feature("Dobra", "01"),
        feature("Otwarta", "02", coordinates=open_ring),
        feature("", "03"),
        {
            "type": "Feature",
            "properties": {"nazwa": "Punkt", "kod": "04"},
            "geometry": {"type": "Point", "coordinates": [21, 52]},
        },
        feature("Powtórka", "01"),
        feature("Metry", "05", coordinates=[[[637000, 486000], [638000, 486000], [638000, 487000], [637000, 486000]]]),
        feature("Trójkąt", "06", coordinates=[[[21.0, 52.2], [21.1, 52.2], [21.0, 52.2]]]),
        feature("Nan", "07", coordinates=[[[21.0, 52.2], ["x", 52.2], [21.1, 52.3], [21.0, 52.2]]]),
        "a string",
    )
    outcome = run(city, data)
    assert outcome.created == 1
    found = {(r.index, r.field) for r in outcome.rejected}
    assert found == {
        (2, "geometry"),
        (3, "name"),
        (4, "geometry"),
        (5, "code"),
        (6, "geometry"),
        (7, "geometry"),
        (8, "geometry"),
        (9, "feature"),
    }
    reasons = {r.index: r.reason for r in outcome.rejected}
    assert "not closed" in reasons[2]
    assert "Polygon or MultiPolygon" in reasons[4]
    assert "repeats feature 1" in reasons[5]
    assert "WGS84" in reasons[6]
    record = AreaImport.objects.get()
    assert len(record.rejections) == 8
    assert record.counts["created"] == 1


def test_replace_removes_only_with_a_clean_file(city: City) -> None:
    run(city, collection(feature("A", "a"), feature("B", "b")))
    kept = run(city, collection(feature("A2", "a")))
    assert (kept.updated, kept.kept, kept.removed) == (1, 1, 0)
    assert Area.objects.get(code="a").name == "A2"
    with_rejection = run(city, collection(feature("A", "a"), feature(None, "x")), replace=True)
    assert with_rejection.removed == 0
    assert Area.objects.count() == 2
    replaced = run(city, collection(feature("A", "a")), replace=True)
    assert replaced.removed == 1
    assert list(Area.objects.values_list("code", flat=True)) == ["a"]


def test_dry_run_and_chosen_properties(city: City) -> None:
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"n": "X", "c": "7"},
                    "geometry": {"type": "Polygon", "coordinates": SQUARE},
                }
            ],
        }
    ).encode()
    with pytest.raises(areas.AreaImportRefused):
        run(city, data)
    checked = run(city, data, name_property="n", code_property="c", dry_run=True)
    assert checked.created == 1
    assert Area.objects.count() == 0
    assert not AuditRecord.objects.filter(action="reports.areas_imported").exists()
    run(city, data, name_property="n", code_property="c")
    assert Area.objects.get().code == "7"


def test_another_organisation_keeps_its_own_codes(city: City) -> None:
    run(city, collection(feature("A", "a")))
    areas.import_areas(collection(feature("Obca", "a")), organisation=city.other_city, kind="district", actor=None)
    assert Area.objects.filter(code="a").count() == 2
    assert [s[0] for s in areas.shapes([city.city.pk], "district")] == [Area.objects.get(name="A").pk]


def test_the_command_prints_counts_and_rejections(city: City, tmp_path: Path) -> None:
    path = tmp_path / "d.geojson"
    path.write_bytes(collection(feature("A", "a"), feature(None, "b")))
    out = io.StringIO()
    call_command("reports_import_areas", str(path), organisation=city.city.code, kind="district", stdout=out)
    text = out.getvalue()
    assert "created: 1" in text
    assert "rejected: 1" in text
    assert "2\tname\t" in text
    assert Area.objects.count() == 1
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(b"{")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not GeoJSON"):
        call_command("reports_import_areas", str(bad), organisation=city.city.code, kind="district", stdout=out)
    with pytest.raises(CommandError):
        call_command("reports_import_areas", str(path), organisation="nope", kind="district", stdout=out)
