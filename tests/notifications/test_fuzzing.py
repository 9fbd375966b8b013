"""Bounded fuzzing of the notification service's pages — the survey and the answer form opened from
signed links (forged, foreign and valid tokens with hostile answers), the template editor and its
preview — with hostile strings from hypothesis: no answer may be a 5xx, and nothing stored breaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.roles import Role
from okienko.cases.models import Case
from okienko.notifications import links
from okienko.notifications.models import NotificationTemplate, SurveyResponse
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=200))
TEMPLATE_BITS = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{% if",
        "{% endif %}",
        "{% for x in y %}",
        "{{ name|date:'x' }}",
        "{# ",
        "{{ case_number }}",
    ]
)
TEMPLATES = st.one_of(HOSTILE, st.lists(st.one_of(TEMPLATE_BITS, HOSTILE), max_size=8).map("".join))
SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def case(city: City) -> Case:
    return open_pothole(city, reporter={"name": "Jan", "email": "jan@example.pl"})  # type: ignore[no-any-return]


@pytest.fixture
def fuzzed(client: WebClient) -> WebClient:
    client.raise_request_exception = False
    return client


def _ok(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


@SETTINGS
@given(token=HOSTILE, rating=HOSTILE, comment=HOSTILE, contact=HOSTILE)
def test_the_survey_never_fails(
    fuzzed: WebClient, case: Case, token: str, rating: str, comment: str, contact: str
) -> None:
    answer = {"rating": rating, "comment": comment, "may_contact": contact}
    _ok(fuzzed.get(f"/ankieta/{token.replace('/', '')}x/"), "survey with a hostile token")
    _ok(fuzzed.post(f"/ankieta/{links.survey_token(case)}/", answer), f"survey answer {answer!r}")
    assert SurveyResponse.objects.filter(case=case).count() <= 1


@SETTINGS
@given(token=HOSTILE, message=HOSTILE, name=HOSTILE)
def test_the_answer_form_never_fails(fuzzed: WebClient, case: Case, token: str, message: str, name: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _ok(fuzzed.post(f"/sprawy/odpowiedz/{token.replace('/', '')}x/", {"message": message}), "hostile token")
    upload = SimpleUploadedFile((name or "x")[:100], message.encode("utf-8", "surrogatepass")[:2000])
    response = fuzzed.post(
        f"/sprawy/odpowiedz/{links.answer_token(case)}/", {"message": message, "attachments": [upload]}
    )
    _ok(response, f"answer {message!r}")


@pytest.fixture
def admin_client(city: City, make_user: Callable[..., Any], fuzzed: WebClient) -> WebClient:
    fuzzed.force_login(make_user("konfigurator", roles=[(city.city, Role.ADMINISTRATOR)]))
    return fuzzed


@SETTINGS
@given(subject=TEMPLATES, body=TEMPLATES, event=st.one_of(st.just("case_registered"), HOSTILE))
def test_the_template_editor_never_fails(admin_client: WebClient, subject: str, body: str, event: str) -> None:
    safe_event = event.replace("/", "") or "x"
    base = f"/desk/notifications/templates/{safe_event}/email/pl/"
    data = {"subject": subject, "body": body, "active": "on"}
    _ok(admin_client.post(base + "preview", data), f"preview {data!r}")
    _ok(admin_client.post(base, {**data, "preview": "1"}), f"preview page {data!r}")
    _ok(admin_client.post(base, data), f"save {data!r}")
    for template in NotificationTemplate.objects.all():  # whatever was saved still renders or is refused
        from okienko.notifications import rendering

        try:
            rendering.render(template.subject, template.body, rendering.sample_context(), language="pl")
        except rendering.TemplateError:
            pytest.fail(f"a template that does not render was saved: {template.body!r}")


@SETTINGS
@given(text=TEMPLATES, transliterate=HOSTILE)
def test_the_sms_count_never_fails(city: City, fuzzed: WebClient, text: str, transliterate: str) -> None:
    fuzzed.force_login(city.expert)
    response = fuzzed.post("/desk/notifications/sms-plan", {"text": text, "transliterate": transliterate})
    _ok(response, f"sms-plan {text!r}")
    if response.status_code == 200:  # hostile input may also be refused whole (400) by the input limits
        assert response.json()["segments"] >= 0
