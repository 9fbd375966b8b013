import io
from collections.abc import Callable

import pytest
from django.db import IntegrityError
from django.test import Client as HttpClient

from okienko.accounts import demo as accounts_demo
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.catalogue import demo
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion, StandardText
from okienko.core.models import AuditRecord

MakeUser = Callable[..., User]
Login = Callable[[User], HttpClient]


@pytest.fixture
def loaded(db: None) -> None:
    accounts_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())


def test_demo_catalogues_are_loaded_and_idempotent(loaded: None) -> None:
    counts = (
        ServiceCategory.objects.count(),
        Service.objects.count(),
        ServiceQuestion.objects.count(),
        StandardText.objects.count(),
    )
    demo.load(stdout=io.StringIO())
    assert (
        ServiceCategory.objects.count(),
        Service.objects.count(),
        ServiceQuestion.objects.count(),
        StandardText.objects.count(),
    ) == counts
    assert Service.objects.filter(organisation__code="lodz").count() == 19
    assert Service.objects.filter(organisation__code="wup-bialystok").count() == 17


def test_city_services_name_their_lodz_unit_and_sla(loaded: None) -> None:
    pothole = Service.objects.get(organisation__code="lodz", code="dziura-w-jezdni")
    assert (
        pothole.responsible_unit.code if pothole.responsible_unit else None,
        pothole.sla_basis,
        pothole.resolve_due,
        pothole.location_required,
    ) == (
        "lodz-zdit",
        "working_days",
        14,
        True,
    )
    units = set(Service.objects.filter(organisation__code="lodz").values_list("responsible_unit__code", flat=True))
    assert units == {"lodz-zdit", "lodz-zzm", "lodz-wgk", "lodz-sm", "lodz-wso", "lodz-wos"}


def test_service_codes_are_open311_safe_slugs(loaded: None) -> None:
    for code in Service.objects.values_list("code", flat=True):
        assert code.isascii()
        assert code == code.lower()
        assert " " not in code


def test_demo_uses_every_question_datatype(loaded: None) -> None:
    used = set(ServiceQuestion.objects.values_list("datatype", flat=True))
    assert used >= {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist", "notice"}
    assert ServiceQuestion.objects.get(service__code="graffiti", code="obrazliwe").choices.count() == 2


def test_service_code_is_unique_per_jurisdiction(loaded: None) -> None:
    existing = Service.objects.get(organisation__code="lodz", code="graffiti")
    with pytest.raises(IntegrityError):
        Service.objects.create(
            organisation=existing.organisation, code="graffiti", category=existing.category, public_name="x"
        )


def test_desk_catalogue_search_ignores_diacritics(loaded: None, make_user: MakeUser, staff_client: Login) -> None:
    user = make_user("k", roles=[(Organisation.objects.get(code="lodz-ckzm"), Role.CONSULTANT)])
    html = staff_client(user).get("/desk/catalogue/?q=latarnia", HTTP_HX_REQUEST="true").content.decode()
    assert "Niedziałająca latarnia" in html
    assert "Zasiłek" not in html
    html = staff_client(user).get("/desk/catalogue/?q=dziura").content.decode()
    assert "Dziura w jezdni" in html


def test_service_page_shows_questions_and_texts(loaded: None, make_user: MakeUser, staff_client: Login) -> None:
    user = make_user("k", roles=[(Organisation.objects.get(code="lodz-ckzm"), Role.CONSULTANT)])
    service = Service.objects.get(organisation__code="lodz", code="drzewo-do-przyciecia")
    html = staff_client(user).get(f"/desk/catalogue/{service.uuid}/").content.decode()
    assert "dzwoń pod 112" in html
    other = Service.objects.get(organisation__code="wup-bialystok", code="staz")
    assert staff_client(user).get(f"/desk/catalogue/{other.uuid}/").status_code == 404


def test_admin_change_of_a_category_is_audited(loaded: None, staff_client: Login) -> None:
    admin = User.objects.create_superuser("root", password="x-pass-1234")
    category = ServiceCategory.objects.get(organisation__code="lodz", code="odpady")
    login = staff_client(admin)
    service = Service.objects.get(organisation__code="lodz", code="graffiti")
    assert login.get(f"/admin/catalogue/service/{service.pk}/change/").status_code == 200
    response = login.post(
        f"/admin/catalogue/servicecategory/{category.pk}/change/",
        {
            "organisation": category.organisation_id,
            "code": "odpady",
            "name": "Odpady i czystość miasta",
            "order": 5,
            "active": "on",
            "parent": "",
        },
    )
    assert response.status_code == 302
    entry = AuditRecord.objects.get(action="admin.servicecategory.changed")
    assert entry.changes["name"] == ["Odpady i czystość", "Odpady i czystość miasta"]
