"""``POST /api/v1/eforms/submissions/``: systems with a token deliver submissions and get the
signed receipt back; everything else is a problem+json answer, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from okienko.accounts.tokens import Scope, issue_api_token
from okienko.channels.eforms import sample
from okienko.channels.eforms.models import EFormSubmission

from .conftest import Office, report

URL = "/api/v1/eforms/submissions/"


def token(office: Office, *, scopes: list[str] | None = None, organisation: Any = None) -> str:
    issued = issue_api_token(
        actor=None,
        organisation=organisation or office.city,
        name="ePUAP gateway",
        scopes=[Scope.EFORMS_SUBMIT] if scopes is None else scopes,
    )
    return issued.secret


def post(client: Client, body: bytes, secret: str, content_type: str = "application/xml") -> Any:
    return client.post(
        URL, data=body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_an_accepted_submission_is_answered_with_its_signed_receipt(
    client: Client, office: Office, signer: sample.Signer
) -> None:
    raw = report(signer)
    response = post(client, raw, token(office))
    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/xml")
    receipt = etree.fromstring(response.content)
    assert receipt.findtext("{urn:okienko:eforms:receipt:1}Status") == "accepted"
    submission = EFormSubmission.objects.get()
    assert submission.transport == "http"
    assert submission.system == "ePUAP gateway"
    again = post(client, raw, token(office))
    assert again.status_code == 200
    assert again.content == response.content


def test_a_rejected_submission_is_a_problem_with_the_reasons_and_the_receipt(client: Client, office: Office) -> None:
    response = post(client, report(description="krótko"), token(office))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/eform-rejected")
    assert body["reasons"][0] == "The form data does not follow the form's schema."
    assert "<r:Status>rejected</r:Status>" in body["receipt"]


def test_a_system_of_another_office_cannot_deliver_this_form(client: Client, office: Office) -> None:
    response = post(client, report(), token(office, organisation=office.other))
    assert response.status_code == 422
    assert response.json()["reasons"] == ["This system may not deliver the form lodz-zgloszenie-problemu."]


@pytest.mark.parametrize(
    ("scopes", "auth", "status"),
    [([Scope.CASES_WRITE], True, 403), (None, False, 401)],
    ids=["without-the-scope", "without-a-token"],
)
def test_the_endpoint_needs_a_token_with_the_scope(
    client: Client, office: Office, scopes: list[str] | None, auth: bool, status: int
) -> None:
    secret = token(office, scopes=scopes)
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if auth else {}
    response = client.post(URL, data=report(), content_type="application/xml", **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert not EFormSubmission.objects.exists()


def test_a_body_that_is_not_xml_is_refused(client: Client, office: Office) -> None:
    response = post(client, b'{"a": 1}', token(office), content_type="application/json")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def test_a_signed_in_member_of_staff_cannot_deliver(client: Client, office: Office) -> None:
    client.force_login(office.consultant)
    response = client.post(URL, data=report(), content_type="application/xml")
    assert response.status_code == 403


HOSTILE = [b"<!DOCTYPE a [<!ENTITY b SYSTEM 'http://127.0.0.1/'>]><a>&b;</a>", b"\xff\xfe<\x00a\x00/\x00>"]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: f'<e:Submission xmlns:e="urn:okienko:eforms:envelope:1">{t}'.encode()),
        st.sampled_from(
            [b"<!DOCTYPE a [<!ENTITY b SYSTEM 'http://127.0.0.1/'>]><a>&b;</a>", b"\xff\xfe<\x00a\x00/\x00>"]
        ),
    ),
    content_type=st.sampled_from(["application/xml", "text/xml; charset=utf-8", "application/octet-stream"]),
)
def test_fuzzed_bodies_never_cause_a_server_error(office: Office, body: bytes, content_type: str) -> None:
    response = post(Client(), body, token(office), content_type=content_type)
    assert response.status_code in (201, 200, 415, 422), response.content[:300]
    assert response.status_code != 500
