from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext


def test_overdue_alert_is_declined_in_polish() -> None:
    with translation.override("pl"):
        texts = [ngettext("%(n)d case is overdue", "%(n)d cases are overdue", n) % {"n": n} for n in (1, 2, 5, 22)]
    assert texts == ["1 sprawa po terminie", "2 sprawy po terminie", "5 spraw po terminie", "22 sprawy po terminie"]
