"""Every action names who did it with one type: a user, a part of the system, or nobody."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation, User
from okienko.core import audit
from okienko.core.actors import PORTAL, Principal, name_of, signed_in, superuser
from okienko.core.models import AuditRecord


@pytest.mark.django_db
def test_a_user_is_kept_in_foreign_keys_and_the_system_is_named(
    region: Organisation, make_user: Callable[..., User]
) -> None:
    staff = make_user("jan")
    assert isinstance(staff, Principal)
    assert isinstance(PORTAL, Principal)
    assert (user_of(staff), user_of(PORTAL), user_of(AnonymousUser()), user_of(None)) == (staff, None, None, None)
    assert (name_of(staff), name_of(PORTAL), name_of(None)) == ("jan", "portal", "system")
    assert (signed_in(staff), signed_in(PORTAL), signed_in(AnonymousUser())) == (True, False, False)
    audit.record("x.done", actor=PORTAL, obj=region)
    entry = AuditRecord.objects.get(action="x.done")
    assert (entry.actor_id, entry.actor_repr) == (None, "portal")


@pytest.mark.django_db
def test_only_an_active_superuser_has_every_permission(make_user: Callable[..., User]) -> None:
    boss = make_user("boss")
    boss.is_superuser = True
    assert superuser(boss)
    boss.is_active = False
    assert not superuser(boss)
    assert not superuser(PORTAL)
    assert not superuser(None)
