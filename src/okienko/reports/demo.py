"""Demo: the rollups of the demo cases (the outbox keeps them current afterwards)."""

from __future__ import annotations

from typing import TextIO

from okienko.reports import rollups

VERSION = 1


def load(stdout: TextIO) -> None:
    stdout.write(f"reports: {rollups.rebuild()} rollup rows\n")
