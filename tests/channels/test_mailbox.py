"""Mailbox settings: addresses in lower case, the IMAP password stored encrypted."""

from __future__ import annotations

from typing import Any

import pytest

from okienko.channels.models import Mailbox
from okienko.core import secretbox
from tests.channels.conftest import Post


def test_seal_round_trip_and_no_plain_text() -> None:
    token = secretbox.seal("tajne-hasło")
    assert "tajne" not in token
    assert secretbox.unseal(token) == "tajne-hasło"
    assert secretbox.seal("") == ""
    assert secretbox.unseal("") == ""


def test_rotated_key_still_opens_old_values(settings: Any) -> None:
    """A value sealed under the previous key opens once that key is in SECRET_KEY_FALLBACKS."""
    old = secretbox.seal("hasło")
    previous = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.unseal(old)
    settings.SECRET_KEY_FALLBACKS = [previous]
    assert secretbox.unseal(old) == "hasło"


def test_altered_value_is_refused() -> None:
    token = secretbox.seal("hasło")
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.unseal(token[:-4] + "AAAA")


@pytest.mark.django_db
def test_mailbox_password_is_stored_sealed(post: Post) -> None:
    post.mailbox.set_imap_password("imap-secret")
    post.mailbox.save()
    stored = Mailbox.objects.values_list("imap_password_sealed", flat=True).get(pk=post.mailbox.pk)
    assert "imap-secret" not in stored
    assert Mailbox.objects.get(pk=post.mailbox.pk).imap_password() == "imap-secret"


@pytest.mark.django_db
def test_mailbox_address_is_lower_case(post: Post) -> None:
    assert post.mailbox.address == "kontakt@lodz.okienko.localhost"
