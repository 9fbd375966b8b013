"""``make run`` starts the inbound listener; the demo has mailboxes with mail waiting."""

from __future__ import annotations

import io
import socket

import pytest

from okienko.accounts import demo as accounts_demo
from okienko.channels import demo as channels_demo
from okienko.channels.models import InboundMessage, Mailbox
from okienko.core.management.commands.runall import inbound_mail_command


def test_runall_starts_the_listener_on_a_free_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert inbound_mail_command("python", port=port) == [
        "python",
        "-m",
        "okienko.channels.email.listener",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def test_runall_leaves_a_taken_port_alone() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert inbound_mail_command("python", port=taken.getsockname()[1]) is None


@pytest.mark.django_db
def test_demo_mailboxes_with_mail_waiting() -> None:
    """Łódź contact centre and WUP Białystok receive mail; loading twice adds nothing."""
    accounts_demo.load(stdout=io.StringIO())
    channels_demo.load(stdout=io.StringIO())
    channels_demo.load(stdout=io.StringIO())
    boxes = dict(Mailbox.objects.values_list("address", "organisation__code"))
    assert boxes == {
        "kontakt@lodz.okienko.localhost": "lodz-ckzm",
        "kontakt@wup.bialystok.okienko.localhost": "wup-bialystok",
    }
    assert Mailbox.objects.filter(auto_reply=True, create_case=False).count() == 2
    waiting = InboundMessage.objects.awaiting_triage()
    assert waiting.count() == 2
    assert {m.subject for m in waiting} == {
        "Nieodebrane odpady wielkogabarytowe",
        "Zaświadczenie o okresie rejestracji",
    }
