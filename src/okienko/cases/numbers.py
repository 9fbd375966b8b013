"""Case numbers as people type them: ``LODZ/2026/000186``, ``lodz-2026-186``, ``LODZ 2026 186``,
``LODZ2026000186`` or, without the office, ``2026/186``.

A number is ``<PREFIX>/<year>/<sequence>`` where the prefix is the jurisdiction's code in capitals
(``cases.actions.base.next_number``). Codes may contain hyphens (``PUP-LOMZA``), so any run of
spaces, slashes, hyphens, dots or underscores between the parts is accepted and the prefix is put
back together with hyphens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

_SEP = r"[\s/\-._]"
_FULL = re.compile(
    rf"(?P<prefix>[A-Za-z][A-Za-z0-9]*(?:{_SEP}+[A-Za-z][A-Za-z0-9]*)*?){_SEP}*(?P<year>(?:19|20)\d\d){_SEP}*(?P<seq>\d{{1,6}})"
)
_SHORT = re.compile(rf"(?P<year>(?:19|20)\d\d){_SEP}+(?P<seq>\d{{1,6}})")
MAX_LENGTH = 60


@dataclass(frozen=True)
class CaseNumber:
    """A parsed number; ``prefix`` is empty when the office was left out."""

    prefix: str
    year: int
    sequence: int

    @property
    def suffix(self) -> str:
        return f"/{self.year}/{self.sequence:06d}"

    def __str__(self) -> str:
        return f"{self.prefix}{self.suffix}" if self.prefix else self.suffix.lstrip("/")

    def q(self) -> Q:
        """The filter on ``Case.number`` for this number (any office when the prefix is missing)."""
        if self.prefix:
            return Q(number=f"{self.prefix}{self.suffix}")
        return Q(number__endswith=self.suffix)


def parse_case_number(text: str) -> CaseNumber | None:
    """The case number in ``text``, or None when it does not look like one."""
    value = (text or "").strip()
    if not value or len(value) > MAX_LENGTH:
        return None
    short = _SHORT.fullmatch(value)
    if short:
        return CaseNumber("", int(short["year"]), int(short["seq"]))
    full = _FULL.fullmatch(value)
    if not full or int(full["seq"]) == 0:
        return None
    prefix = "-".join(part for part in re.split(rf"{_SEP}+", full["prefix"].upper()) if part)
    return CaseNumber(prefix, int(full["year"]), int(full["seq"]))
