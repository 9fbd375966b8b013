"""The one inbox in a real browser at desktop and phone widths: what waits on each channel is
listed, the channel filter works with the keyboard, axe finds nothing, nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.interactions.actions import record_interaction
from okienko.interactions.models import Interaction
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_the_inbox_with_the_keyboard(
    page: Any, make_user: Callable[..., User], sign_in: Callable[[str], None], axe: Callable[[Any], None], size: str
) -> None:
    city = scenario.city(make_user)
    record_interaction(
        actor=None,
        channel="sms",
        organisation=city.centre,
        question="Kiedy naprawicie latarnię przy Zgierskiej 12?",
        outcome=Interaction.Outcome.OTHER,
        contact_detail="+48609999888",
    )
    record_interaction(
        actor=None,
        channel="letter",
        organisation=city.centre,
        client=city.client,
        question="Wniosek o przycięcie drzewa",
        outcome=Interaction.Outcome.OTHER,
    )
    page.set_viewport_size(SIZES[size])
    sign_in("konsultantka")
    page.goto("/desk/inbox/")
    assert page.get_by_role("heading", level=1).inner_text() == "Skrzynka"
    main = page.locator("main").inner_text()
    assert "Kiedy naprawicie latarnię" in main
    assert "Wniosek o przycięcie drzewa" in main
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)
    page.get_by_label("Kanał").select_option("sms")
    with page.expect_navigation():
        page.get_by_role("button", name="Pokaż").press("Enter")
    main = page.locator("main").inner_text()
    assert "Kiedy naprawicie latarnię" in main
    assert "Wniosek o przycięcie drzewa" not in main
    axe(page)
