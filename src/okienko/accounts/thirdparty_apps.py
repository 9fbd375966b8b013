"""The third-party apps of sign-in (two-step codes, lockout) named and labelled in Polish in the admin.

django-otp labels its models with plain English strings and has no Polish catalogue; axes has no
app name. These configurations give the apps and models translatable names (model options, which
their migrations do not record); the fields' labels and help texts below are applied on the
admin's forms and columns (``accounts/admin.py``), so the third-party migrations stay unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Field labels shared by django-otp's device models.
DEVICE_FIELDS = {
    "user": _("staff member"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "throttling_failure_timestamp": _("last failed attempt"),
    "throttling_failure_count": _("failed attempts in a row"),
    "created_at": _("created"),
    "last_used_at": _("last used"),
    "key": _("secret key"),
    "step": _("time step (seconds)"),
    "t0": _("start time (Unix)"),
    "digits": _("digits"),
    "tolerance": _("tolerance (steps)"),
    "drift": _("clock drift (steps)"),
    "last_t": _("last time step used"),
    "token": _("code"),
    "device": _("device"),
}

DEVICE_HELP = {
    "user": _("The staff member who signs in with this device."),
    "name": _("A name the staff member recognises, e.g. “phone”."),
    "confirmed": _("Whether the device was confirmed with a first code and may be used."),
    "throttling_failure_timestamp": _("When a code was last wrong; empty if the last code was right."),
    "throttling_failure_count": _("Wrong codes in a row; each one makes the next wait longer."),
    "created_at": _("When the device was added."),
    "last_used_at": _("When a code of this device was last accepted."),
    "key": _("The shared secret, in hexadecimal (at most 40 bytes)."),
    "step": _("How many seconds each code is valid."),
    "t0": _("The Unix time from which time steps are counted."),
    "digits": _("How many digits a code has."),
    "tolerance": _("How many time steps before or after now are still accepted."),
    "drift": _("How many time steps the device's clock is known to be off."),
    "last_t": _("The time step of the last accepted code; a later code must have a later step."),
}


def _label(model: type[Model], verbose_name: str | _StrPromise, plural: str | _StrPromise) -> None:
    meta = model._meta
    meta.verbose_name, meta.verbose_name_plural = verbose_name, plural


class OtpTotpConfig(AppConfig):
    name = "django_otp.plugins.otp_totp"
    label = "otp_totp"
    verbose_name = _("Two-step sign-in: authenticator apps")
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        _label(self.get_model("TOTPDevice"), _("authenticator app"), _("authenticator apps"))


class OtpStaticConfig(AppConfig):
    name = "django_otp.plugins.otp_static"
    label = "otp_static"
    verbose_name = _("Two-step sign-in: backup codes")
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        _label(self.get_model("StaticDevice"), _("set of backup codes"), _("sets of backup codes"))
        _label(self.get_model("StaticToken"), _("backup code"), _("backup codes"))


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # axes ships no type information
    verbose_name = _("Sign-in lockout")


# Labels of axes that its own catalogue leaves in English; listed here so that this project's
# catalogue carries their Polish (Django looks a message up in every app's catalogue).
AXES_LABELS = (
    _("access failure"),
    _("access failures"),
    _("User Agent"),
    _("HTTP Accept"),
    _("expiration"),
    _("Session key hash (sha256)"),
    _("Access lock out"),
    _("access attempt expiration"),
    _("access attempt expirations"),
)
