"""The phone's sound (issue 16): prompts (recorded or spoken by espeak-ng) with their audio at
8 and 16 kHz, call recordings with their consent, legal basis and retention date, and the
offices' voicemail boxes with the messages callers leave. Imported by ``telephony.models`` (one
app, label ``telephony``); the files are ``core.files.StoredFile`` rows (sha256, random names
under ``MEDIA_ROOT``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.files import StoredFile

# The basis the office records calls on unless a queue says otherwise: recording is part of
# handling the matter the caller phones about (the office's statutory task), not their consent.
DEFAULT_LEGAL_BASIS = (
    "art. 6 ust. 1 lit. e RODO — wykonanie zadania realizowanego w interesie publicznym w ramach "
    "ustawowych zadań urzędu; nagranie dokumentuje przebieg rozmowy i udzielone informacje."
)
CONSENT_PROMPT = "consent-recording"
OFFICE_CLOSED = "office-closed"


class Prompt(models.Model):
    """Something the phone says: a recording an office uploaded, or a text espeak-ng speaks.
    An *announcement* (``is_announcement``) is one supervisors change at any time without a new
    flow version ("the office is closed today"); it is played only while ``active``."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", pgettext_lazy("prompt kind", "recorded")
        SYNTHESISED = "synthesised", _("synthesised speech")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="phone_prompts"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SYNTHESISED)
    text = models.TextField(
        _("text"), blank=True, help_text=_("Spoken by the speech synthesiser, or the transcript of a recording.")
    )
    voice = models.CharField(_("voice"), max_length=40, blank=True)
    rate = models.PositiveSmallIntegerField(_("speed (words per minute)"), null=True, blank=True)
    is_announcement = models.BooleanField(_("announcement"), default=False)
    active = models.BooleanField(_("active"), default=True)
    duration = models.FloatField(_("length (s)"), default=0)
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phone prompt")
        verbose_name_plural = _("phone prompts")
        ordering = ["organisation__name", "code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="telephony_prompt_code_once")]

    def __str__(self) -> str:
        return self.name


class PromptAudio(StoredFile):
    """A prompt's sound at one sample rate (mono 16-bit PCM WAV)."""

    STORAGE_FOLDER = "prompts"

    prompt = models.ForeignKey(Prompt, verbose_name=_("prompt"), on_delete=models.CASCADE, related_name="audio")
    sample_rate = models.PositiveIntegerField(_("sample rate (Hz)"), choices=[(8000, "8 kHz"), (16000, "16 kHz")])

    class Meta:
        verbose_name = _("prompt audio")
        verbose_name_plural = _("prompt audio")
        constraints = [models.UniqueConstraint(fields=["prompt", "sample_rate"], name="telephony_prompt_rate_once")]

    def __str__(self) -> str:
        return f"{self.prompt.code} {self.sample_rate} Hz"


class CallRecording(StoredFile):
    """A recorded call: personal data kept on ``legal_basis`` until ``retain_until`` (then the
    daily ``purge_recordings`` deletes file and row). Every playback is audited."""

    STORAGE_FOLDER = "recordings"

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="call_recordings"
    )
    call = models.CharField(_("call"), max_length=64, db_index=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recordings",
    )
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    flow = models.CharField(_("IVR flow"), max_length=60, blank=True)
    started_at = models.DateTimeField(_("started"), db_index=True)
    ended_at = models.DateTimeField(_("ended"))
    consent_played = models.BooleanField(_("recording announced to the caller"), default=False)
    legal_basis = models.TextField(_("legal basis"))
    retain_until = models.DateField(_("keep until"), db_index=True)

    class Meta:
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.call} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self) -> int:
        return max(0, round((self.ended_at - self.started_at).total_seconds()))


class VoicemailBox(models.Model):
    """An office's voicemail: callers' messages land here and as callbacks in its queue."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="voicemail_boxes"
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    greeting = models.TextField(_("greeting"), blank=True)
    active = models.BooleanField(pgettext_lazy("voicemail box", "active"), default=True)

    class Meta:
        verbose_name = _("voicemail box")
        verbose_name_plural = _("voicemail boxes")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name


class VoicemailMessage(StoredFile):
    """A message left in a box (8 kHz WAV), with the callback it created."""

    STORAGE_FOLDER = "voicemail"

    box = models.ForeignKey(
        VoicemailBox, verbose_name=_("voicemail box"), on_delete=models.PROTECT, related_name="messages"
    )
    call = models.CharField(_("call"), max_length=64, db_index=True)
    caller = models.CharField(_("caller's number"), max_length=40, blank=True)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voicemail_messages",
    )
    duration = models.FloatField(_("length (s)"), default=0)
    transcript = models.TextField(_("transcript"), blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    callback = models.ForeignKey(
        "interactions.Callback",
        verbose_name=_("callback"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voicemail_messages",
    )
    listened_at = models.DateTimeField(_("first listened to"), null=True, blank=True)
    listened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listened to by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("voicemail message")
        verbose_name_plural = _("voicemail messages")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.box.code} {self.received_at:%Y-%m-%d %H:%M}"
