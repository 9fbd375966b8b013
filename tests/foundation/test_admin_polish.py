"""The admin in Polish: app and model names and the labels of every field an administrator edits;
pickers instead of raw ids; weekday check-boxes in routing rules (issue 12, item 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise

from okienko.accounts.models import Organisation, User
from okienko.cases.admin import RoutingRuleForm
from okienko.cases.models import RoutingRule

pytestmark = pytest.mark.django_db

# Labels that Polish writes as English does.
SAME_IN_POLISH = {
    *("id", "pin", "url", "uuid", "e-mail", "status", "gmina", "token", "hash", "open311", "http accept"),
    *("nip", "regon"),  # Polish acronyms (tax and statistical numbers)
}


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


def test_every_field_an_administrator_edits_is_labelled_in_polish(rf: Any) -> None:
    """The labels an administrator reads on each add form, as the admin builds them."""
    superuser = User(username="root", is_superuser=True, is_staff=True)
    untranslated = []
    for model, model_admin in admin.site._registry.items():
        request = rf.get("/admin/")
        request.user = superuser
        form = model_admin.get_form(request)
        readonly = set(model_admin.get_readonly_fields(request))
        for name in flatten_fieldsets(model_admin.get_fieldsets(request)):
            if name in form.base_fields:
                label: Any = form.base_fields[name].label
            elif name in readonly:
                label = label_for_field(name, model, model_admin)
            else:
                continue
            polish, english = _polish(label)
            if polish == english and polish.lower() not in SAME_IN_POLISH:
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


def test_every_help_text_of_the_admin_is_in_polish(rf: Any) -> None:
    superuser = User(username="root", is_superuser=True, is_staff=True)
    untranslated = []
    for model, model_admin in admin.site._registry.items():
        request = rf.get("/admin/")
        request.user = superuser
        for name, field in model_admin.get_form(request).base_fields.items():
            if isinstance(field.help_text, Promise):  # a plain text was worded when the form was built
                polish, english = _polish(field.help_text)
                if polish == english:
                    untranslated.append(f"{model._meta.label}.{name}: {polish[:60]}")
    assert untranslated == []


def test_the_authenticator_app_page_reads_in_polish(client: Client) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    root = User.objects.create_superuser("root", password="pass-1234-word")
    device = TOTPDevice.objects.create(user=root, name="telefon", confirmed=True)
    client.force_login(root)
    listing = client.get("/admin/otp_totp/totpdevice/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Ostatnie użycie" in listing or "ostatnie użycie" in listing.lower()
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    for english in ("Identity", "Timestamps", "Throttling", "The human-readable name", "Is this device ready"):
        assert english not in page
    assert "Błędne kody" in page
