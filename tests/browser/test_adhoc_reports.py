"""Ad hoc reports in a real browser (issue 20, item 5): a supervisor builds a report of cases
grouped by service and channel, reads its chart and table, saves it, downloads it as CSV and has
the rows prepared in the background (the worker runs at once in tests) with the progress bar and
the download link. Axe at desktop and phone widths, no sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from okienko.reports.adhoc_models import ExportJob, SavedReport
from tests.cases.conftest import City, city, open_pothole  # noqa: F401  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_supervisor_builds_saves_and_exports_a_grouped_report(
    page: Any,
    city: City,  # noqa: F811
    axe: Axe,
    sign_in: Callable[..., None],
    size: str,
) -> None:
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        open_pothole(city)
        open_pothole(city, channel="email")
        open_pothole(city, service=city.tree, answers={})
    page.set_viewport_size(SIZES[size])
    sign_in(city.supervisor.username, "pass-1234-word")
    page.goto("/desk/reports/builder/")
    _checked(page, axe)
    page.locator("#b-since").fill("2026-11-01")
    page.locator("#b-until").fill("2026-11-30")
    page.locator("#b-group-1").select_option("service")
    page.locator("#b-group-2").select_option("channel")
    page.locator("input[name=measures][value=open]").check()
    page.locator("#b-until").press("Enter")
    page.wait_for_url("**/desk/reports/builder/?*group=service*")
    table = page.locator("#builder-caption")
    assert table.is_visible()
    assert page.locator("table.data-table tbody tr").count() == 3
    assert page.locator("canvas#builder-chart").count() == 1
    page.wait_for_function("() => !!window.Chart && !!window.Chart.getChart('builder-chart')")
    _checked(page, axe)

    page.locator("#b-name").fill("Dziury według kanału")
    page.locator("#b-shared").select_option("organisation")
    page.locator("#b-name").press("Enter")
    page.wait_for_url("**/desk/reports/builder/?report=*")
    report = SavedReport.objects.get()
    assert report.definition["group_by"] == ["service", "channel"]
    assert page.locator("h1").inner_text() == "Dziury według kanału"
    assert page.locator("table.data-table tbody tr").count() == 3

    with page.expect_download() as downloaded:
        page.locator("a[href*='raport.csv'][href*='rows=groups']").click()
    with open(downloaded.value.path(), encoding="utf-8-sig") as body:
        lines = body.read().strip().splitlines()
    assert len(lines) == 4  # the header and three groups

    page.locator("#b-export-fmt").select_option("csv")
    page.locator("form[action$='/builder/exports/'] button[type=submit]").click()
    page.wait_for_url("**/desk/reports/builder/exports/*/")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.State.DONE
    assert page.locator("progress#export-bar").get_attribute("value") == "100"
    link = page.locator(f"a[href='/desk/reports/builder/exports/{job.uuid}/download/']")
    assert link.is_visible()
    _checked(page, axe)
    with page.expect_download() as prepared:
        link.click()
    with open(prepared.value.path(), encoding="utf-8-sig") as body:
        assert len(body.read().strip().splitlines()) == 4  # the header and three cases
    job.file.delete(save=False)
