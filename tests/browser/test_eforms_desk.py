"""The e-forms page in a real browser, with the keyboard, at desktop and phone widths: a
consultant opens E-forms from the navigation, reads why a submission was rejected and finds the
accepted one's case and receipt; every page passes axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.catalogue.models import Service
from okienko.channels.eforms import demo, intake, receipts, sample
from okienko.channels.eforms.models import EForm
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FORM = "lodz-zgloszenie-problemu"


@pytest.fixture
def city(make_user: Callable[..., User], tmp_path: Any, settings: Any) -> scenario.City:
    settings.VAR_DIR = tmp_path / "var"
    receipts.seal_key.cache_clear()
    receipts._private_key.cache_clear()
    found = scenario.city(make_user)
    service = Service.objects.create(
        organisation=found.city,
        code="dzikie-wysypisko",
        category=found.pothole.category,
        public_name="Dzikie wysypisko",
        responsible_unit=found.roads,
        resolve_due=5,
    )
    row = next(r for r in demo.FORMS if r[0] == FORM)
    EForm.objects.create(
        organisation=found.city,
        code=FORM,
        name=row[1],
        service=service,
        schema=demo.package_file(row[4]).decode(),
        field_mapping=row[5],
    )
    signer = sample.make_signer("Jan Kowalski")
    intake.receive(sample.sign(sample.envelope(FORM, sample.lodz_report()), signer), transport="folder")
    intake.receive(sample.envelope(FORM, sample.lodz_report(description="krótko")), transport="folder")
    return found


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_consultant_reviews_e_form_submissions_with_the_keyboard(
    page: Any, city: scenario.City, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("konsultantka")
    page.goto("/desk/eforms/")
    assert page.get_by_role("heading", level=1).inner_text() == "E-formularze"
    main = page.locator("main").inner_text()
    assert "Dane formularza nie są zgodne ze schematem formularza." in main
    _checked(page, axe)
    page.get_by_role("link", name="Przyjęte").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/eforms/?show=accepted")
    assert "CN=Jan Kowalski,C=PL" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Potwierdzenie odbioru").count() == 1
    _checked(page, axe)
