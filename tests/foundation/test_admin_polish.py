"""The admin in Polish: app and model names and the labels of every field an administrator edits;
pickers instead of raw ids; weekday check-boxes in routing rules (issue 12, item 8)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.test import Client
from django.utils import translation

from okienko.accounts.models import Organisation, User
from okienko.cases.admin import RoutingRuleForm
from okienko.cases.models import RoutingRule

pytestmark = pytest.mark.django_db

# Labels that Polish writes as English does.
SAME_IN_POLISH = {"ID", "PIN", "URL", "uuid", "e-mail", "status", "gmina", "token", "hash", "Open311", "HTTP Accept"}


def _polish(text: object) -> tuple[str, str]:
    with translation.override("pl"):
        polish = str(text)
    with translation.override("en"):
        english = str(text)
    return polish, english


def test_every_app_and_model_of_the_admin_has_a_polish_name() -> None:
    untranslated = []
    for model in admin.site._registry:
        meta = model._meta
        for label in (meta.app_config.verbose_name, meta.verbose_name, meta.verbose_name_plural):
            polish, english = _polish(label)
            if polish == english or polish == meta.app_label.title():
                untranslated.append(f"{meta.label}: {polish}")
    assert untranslated == []


def test_every_field_an_administrator_edits_is_labelled_in_polish(rf: object) -> None:
    superuser = User(username="root", is_superuser=True, is_staff=True)
    untranslated = []
    for model, model_admin in admin.site._registry.items():
        request = rf.get("/admin/")  # type: ignore[attr-defined]  # pytest-django's RequestFactory fixture
        request.user = superuser
        for name in model_admin.get_fields(request):
            if not isinstance(name, str):
                continue  # a row of several fields: each is also listed on its own by its model
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a computed read-only column, labelled by the admin
                continue
            if field.auto_created and not field.concrete:
                continue  # the other side of a relation, labelled by its model
            polish, english = _polish(getattr(field, "verbose_name", name))
            if polish == english and polish not in SAME_IN_POLISH:
                untranslated.append(f"{model._meta.label}.{name}: {polish}")
    assert untranslated == []


def test_admin_index_names_sign_in_apps_in_polish(client: Client) -> None:
    client.force_login(User.objects.create_superuser("root", password="pass-1234-word"))
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Otp_Totp" not in page
    assert "Otp_Static" not in page
    assert ">Axes<" not in page
    assert "Logowanie dwuetapowe" in page


def test_routing_rule_weekdays_are_check_boxes_stored_as_digits() -> None:
    city = Organisation.objects.create(code="city", name="Miasto", kind=Organisation.Kind.CITY)
    unit = Organisation.objects.create(code="unit", name="Wydział", kind=Organisation.Kind.UNIT, parent=city)
    data = {"organisation": city.pk, "name": "Weekend", "order": 10, "target_unit": unit.pk, "weekdays": ["6", "5"]}
    form = RoutingRuleForm(data=data)
    assert form.is_valid(), form.errors
    rule = form.save()
    assert rule.weekdays == "56"
    html = str(RoutingRuleForm(instance=RoutingRule.objects.get()))
    assert 'type="checkbox" name="weekdays" value="5"' in html
    assert "checked" in html
    assert RoutingRuleForm(data={**data, "weekdays": ["9"]}).is_valid() is False


def test_every_help_text_of_the_admin_is_in_polish() -> None:
    untranslated = []
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            if help_text := getattr(field, "help_text", ""):
                polish, english = _polish(help_text)
                if polish == english:
                    untranslated.append(f"{model._meta.label}.{field.name}: {polish[:60]}")
    assert untranslated == []
