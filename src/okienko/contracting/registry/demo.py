"""Demo registry: the example Syriusz exports imported for PUP Białystok (CSV) and PUP Łomża
(XML). Idempotent: a file whose content was already imported for the office is skipped (a
re-import would only count every row unchanged)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from okienko.accounts.models import Organisation
from okienko.contracting.registry import importer
from okienko.contracting.registry.models import ImportBatch

VERSION = 1

EXAMPLES = Path(__file__).parent / "examples"
IMPORTS = [("pup-bialystok", "syriusz-example.csv", "csv"), ("pup-lomza", "syriusz-example.xml", "xml")]


def load(*, stdout: Any) -> None:
    for office_code, file_name, mapper in IMPORTS:
        office = Organisation.objects.filter(code=office_code).first()
        if office is None:
            stdout.write(f"demo: registry import {file_name} skipped, no organisation {office_code}")
            continue
        data = (EXAMPLES / file_name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if ImportBatch.objects.filter(office=office, sha256=digest, status=ImportBatch.State.DONE).exists():
            continue
        batch = importer.import_file(office=office, data=data, name=file_name, mapper_name=mapper, actor=None)
        stdout.write(
            f"demo: registry {office_code}: {batch.created} created, {batch.updated} updated, {batch.rejected} rejected"
        )
