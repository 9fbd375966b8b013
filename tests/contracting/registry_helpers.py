"""Shared builders for the registry tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

from okienko.accounts.models import Organisation
from okienko.contracting.registry import importer, synthetic
from okienko.contracting.registry.models import ImportBatch

EXAMPLES = Path(importer.__file__).parent / "examples"


def csv_bytes(count: int, *, seed: int = 1, prefix: str = "BI", delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    people = list(synthetic.people(count, seed=seed, prefix=prefix))
    return synthetic.to_csv([synthetic.csv_row(p) for p in people], delimiter=delimiter).encode(encoding)


def one_row(**changes: str) -> bytes:
    """A one-person CSV with some columns changed (by header name)."""
    person = next(iter(synthetic.people(1, seed=5)))
    row = synthetic.csv_row(person)
    for name, value in changes.items():
        row[synthetic.HEADER.index(name)] = value
    return synthetic.to_csv([row]).encode("utf-8")


def run(office: Organisation, data: bytes, mapper: str = "csv", name: str = "eksport.csv") -> ImportBatch:
    return importer.import_file(office=office, data=data, name=name, mapper_name=mapper, actor=None)
