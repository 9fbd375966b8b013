"""The phone prompts page and a call recording's playback page in a real browser, at desktop and
phone widths: both pass axe without sideways scroll, the prompt's sound and the recording play
in the page's player, and playing the recording is written to the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core import clock
from okienko.core.models import AuditRecord
from okienko.telephony import recordings
from okienko.telephony.media_models import Prompt
from okienko.telephony.models import PhoneQueue
from tests.browser.conftest import PASSWORD
from tests.telephony.media_helpers import phone_media, quiet_wav, use_private_folders

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PLAYABLE = "async (el) => { el.muted = true; try { await el.play(); } catch (e) {} ; return el.readyState; }"


@pytest.fixture
def office(region: Organisation, settings: Any, tmp_path: Path, make_user: Callable[..., User]) -> Organisation:
    use_private_folders(settings, tmp_path)
    found = Organisation.objects.get(code="pup-a")
    make_user("kier.a", roles=[(found, Role.SUPERVISOR)], password=PASSWORD)
    PhoneQueue.objects.create(organisation=found, code="tel-pup-a", name="Infolinia PUP A", record_calls=True)
    media = phone_media(found)
    Prompt.objects.filter(pk=media.prompt.pk).update(is_announcement=True, active=False, name="Urząd nieczynny")
    path = tmp_path / "call.wav"
    path.write_bytes(quiet_wav(2.0))
    now = clock.now()
    recordings.store_recording(
        "c-browser-1",
        path,
        started=now - dt.timedelta(minutes=2),
        ended=now,
        queue="tel-pup-a",
        flow="pup",
        consent_played=True,
    )
    return found


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_prompts_and_a_recordings_playback_in_the_browser(
    page: Any, office: Organisation, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("kier.a")
    page.goto("/desk/phone/prompts/")
    assert "Urząd nieczynny" in page.locator("main").inner_text()
    player = page.locator("main audio").first
    assert player.evaluate(PLAYABLE) >= 1  # the sound loaded in the player
    _checked(page, axe)

    page.goto("/desk/phone/recordings/")
    _checked(page, axe)
    page.locator("main a[href*='/desk/phone/recordings/']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/phone/recordings/*/")
    _checked(page, axe)
    before = AuditRecord.objects.filter(action="telephony.recording_played").count()
    assert page.locator("main audio").evaluate(PLAYABLE) >= 1
    assert AuditRecord.objects.filter(action="telephony.recording_played").count() > before
