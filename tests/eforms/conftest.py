"""A city receiving the example report form, a signer with a certificate, and a stand-in for the
var/ folder (the receipt key, the drop folder)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.catalogue.models import Service, ServiceCategory
from okienko.channels.eforms import demo, receipts, sample
from okienko.channels.eforms.models import EForm

FORM = "lodz-zgloszenie-problemu"


@dataclass
class Office:
    city: Organisation
    other: Organisation
    service: Service
    form: EForm
    consultant: User
    outsider: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _var(tmp_path: Path, settings: Any) -> Iterator[None]:
    """Stored files and the generated receipt key go to a temporary folder."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    receipts.seal_key.cache_clear()
    receipts._private_key.cache_clear()
    yield
    receipts.seal_key.cache_clear()
    receipts._private_key.cache_clear()


@pytest.fixture(scope="session")
def signer() -> sample.Signer:
    return sample.make_signer("Jan Kowalski")


@pytest.fixture
def office(db: None, make_user: Any) -> Office:
    city = Organisation.objects.create(code="lodz", name="Łódź", kind=Organisation.Kind.CITY)
    other = Organisation.objects.create(code="other", name="Other city", kind=Organisation.Kind.CITY)
    category = ServiceCategory.objects.create(organisation=city, code="general", name="General")
    service = Service.objects.create(
        organisation=city,
        code="dzikie-wysypisko",
        category=category,
        public_name="Illegal dump",
        sla_basis=Service.SlaBasis.WORKING_DAYS,
        response_due=1,
        resolve_due=5,
    )
    row = next(r for r in demo.FORMS if r[0] == FORM)
    form = EForm.objects.create(
        organisation=city,
        code=FORM,
        name=row[1],
        service=service,
        schema=demo.package_file(row[4]).decode(),
        field_mapping=row[5],
    )
    return Office(
        city=city,
        other=other,
        service=service,
        form=form,
        consultant=make_user("consultant", roles=[(city, Role.CONSULTANT)]),
        outsider=make_user("outsider", roles=[(other, Role.CONSULTANT)]),
    )


def report(signer: sample.Signer | None = None, *, xades: bool = False, **kwargs: Any) -> bytes:
    attachments = kwargs.pop("attachments", None)
    document = sample.envelope(FORM, sample.lodz_report(**kwargs), attachments=attachments)
    return sample.sign(document, signer, xades=xades) if signer is not None else document
