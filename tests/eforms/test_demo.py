"""The demo registers the example forms of the offices that exist and receives one signed demo
submission per form, once; the shipped example files stay new for people to drop in."""

from __future__ import annotations

from io import StringIO

from okienko.channels.eforms import demo, intake
from okienko.channels.eforms.models import EForm, EFormSubmission

from .conftest import Office


def test_the_demo_registers_the_forms_and_receives_one_submission_each_once(office: Office) -> None:
    EForm.objects.all().delete()
    demo.load(stdout=StringIO())
    demo.load(stdout=StringIO())
    assert list(EForm.objects.values_list("code", flat=True)) == ["lodz-zgloszenie-problemu"]
    submission = EFormSubmission.objects.get()
    assert submission.status == EFormSubmission.Status.ACCEPTED, submission.reasons
    assert submission.signature == EFormSubmission.Signature.VALID
    dropped, new = intake.receive(demo.package_file("example-lodz-zgloszenie.xml"), transport="folder")
    assert new
    assert dropped.status == EFormSubmission.Status.ACCEPTED, dropped.reasons
