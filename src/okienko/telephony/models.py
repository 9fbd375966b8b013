"""Phone queues and their members, and the call event log (the engine's append-only log kept in
the database: the engine's state is rebuilt from it after a restart and every call report is
computed from it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.telephony.media_models import (
    DEFAULT_LEGAL_BASIS,
    CallRecording,
    Prompt,
    PromptAudio,
    VoicemailBox,
    VoicemailMessage,
)
from okienko.telephony.sip_accounts import AgentSipAccount

if TYPE_CHECKING:
    from okienko.telephony.engine.acd import QueueConfig
    from okienko.telephony.engine.events import CallEvent

__all__ = [
    "AgentSipAccount",
    "CallEventRecord",
    "CallRecording",
    "PhoneQueue",
    "Prompt",
    "PromptAudio",
    "QueueMember",
    "VoicemailBox",
    "VoicemailMessage",
]

TERMINAL_OVERFLOW = ("voicemail", "callback")


class Strategy(models.TextChoices):
    LONGEST_IDLE = "longest_idle", _("longest idle")
    FEWEST_CALLS = "fewest_calls", _("fewest calls")
    LEAST_TALK_TIME = "least_talk_time", _("least talk time")
    ROUND_ROBIN = "round_robin", _("round robin")
    RING_ALL = "ring_all", _("ring all")
    RANDOM = "random", _("random")
    BALANCED = "balanced", _("balanced (number and length of calls)")


class PauseReason(models.TextChoices):
    BREAK = "break", _("break")
    TRAINING = "training", _("training")
    BACK_OFFICE = "back_office", _("back-office work")
    MEETING = "meeting", _("meeting")
    TECHNICAL = "technical", _("technical problem")
    NO_ANSWER = "no_answer", _("did not answer (paused automatically)")


class PhoneQueue(models.Model):
    """An office's call queue and how it distributes and overflows (one ``QueueConfig`` in the
    engine). ``overflow`` is a chain of queue codes, the last of which may be ``voicemail`` or
    ``callback``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="phone_queues"
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    strategy = models.CharField(_("strategy"), max_length=20, choices=Strategy.choices, default=Strategy.BALANCED)
    ring_timeout = models.PositiveSmallIntegerField(
        _("ringing time (s)"), default=20, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    wrap_up = models.PositiveSmallIntegerField(_("wrap-up time (s)"), default=15, validators=[MaxValueValidator(600)])
    max_length = models.PositiveSmallIntegerField(_("callers waiting at most"), null=True, blank=True)
    overflow_after = models.PositiveSmallIntegerField(
        _("overflow after (s)"), null=True, blank=True, help_text=_("Empty: the caller stays in this queue.")
    )
    overflow = models.JSONField(
        _("overflow chain"),
        default=list,
        blank=True,
        help_text=_("Codes of the queues to try next, in order; the last may be “voicemail” or “callback”."),
    )
    overflow_when_no_agents = models.BooleanField(_("overflow when nobody is logged in"), default=True)
    overflow_when_all_busy = models.BooleanField(_("overflow at once when everybody is busy"), default=False)
    tier_step = models.PositiveSmallIntegerField(
        _("other locations join after (s)"),
        default=30,
        help_text=_("Consultants of other offices (penalty 1, 2…) may take the call after this many seconds each."),
    )
    auto_pause_after = models.PositiveSmallIntegerField(_("pause after unanswered calls"), default=3)
    service_level_seconds = models.PositiveSmallIntegerField(_("answer within (s)"), default=15)
    service_level_target = models.DecimalField(
        _("service level target"),
        max_digits=4,
        decimal_places=3,
        default=0.8,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of calls to answer within the time, e.g. 0.8."),
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    announce_position = models.BooleanField(_("announce position and expected wait"), default=True)
    # Recording (issue 16): the consent prompt is played before a recorded call is connected.
    record_calls = models.BooleanField(_("record calls"), default=False)
    recording_retention_days = models.PositiveSmallIntegerField(
        _("keep recordings for (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    recording_legal_basis = models.TextField(_("legal basis of recording"), default=DEFAULT_LEGAL_BASIS)
    active = models.BooleanField(pgettext_lazy("phone queue", "active"), default=True)

    class Meta:
        verbose_name = _("phone queue")
        verbose_name_plural = _("phone queues")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        chain = self.overflow
        if not isinstance(chain, list) or not all(isinstance(item, str) for item in chain):
            raise ValidationError({"overflow": _("Give a list of queue codes.")})
        for index, item in enumerate(chain):
            if item in TERMINAL_OVERFLOW:
                if index != len(chain) - 1:
                    raise ValidationError({"overflow": _("Voicemail or callback can only end the chain.")})
                continue
            if item == self.code:
                raise ValidationError({"overflow": _("A queue cannot overflow to itself.")})
            if not PhoneQueue.objects.filter(code=item).exists():
                raise ValidationError({"overflow": _("There is no queue %(code)s.") % {"code": item}})

    def to_config(self) -> QueueConfig:
        from okienko.telephony.engine.acd import QueueConfig

        return QueueConfig(
            code=self.code,
            office=self.organisation.code,
            name=self.name,
            strategy=self.strategy,
            ring_timeout=float(self.ring_timeout),
            wrap_up=float(self.wrap_up),
            max_length=self.max_length,
            overflow_after=float(self.overflow_after) if self.overflow_after else None,
            overflow=list(self.overflow or []),
            overflow_when_no_agents=self.overflow_when_no_agents,
            overflow_when_all_busy=self.overflow_when_all_busy,
            tier_step=float(self.tier_step),
            auto_pause_after=self.auto_pause_after,
            service_level_seconds=float(self.service_level_seconds),
            priority=self.priority,
        )


class QueueMember(models.Model):
    """A consultant answering a queue; penalty 0 for their own office, 1, 2… for other locations
    (they join after the queue's ``tier_step`` seconds per step). Without rows a consultant serves
    their offices' queues at 0 and the other offices' of the same region at 1."""

    queue = models.ForeignKey(PhoneQueue, verbose_name=_("queue"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="phone_queues"
    )
    penalty = models.PositiveSmallIntegerField(_("penalty"), default=0, validators=[MaxValueValidator(9)])

    class Meta:
        verbose_name = _("queue member")
        verbose_name_plural = _("queue members")
        constraints = [models.UniqueConstraint(fields=["queue", "user"], name="telephony_member_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.queue} ({self.penalty})"


class CallEventRecord(models.Model):
    """One line of the engine's log. Written only by the ``okienko telephony`` process, never
    changed or deleted (``save`` refuses an update)."""

    at = models.DateTimeField(_("time"), db_index=True)
    seconds = models.FloatField(_("engine time"))
    kind = models.CharField(_("event"), max_length=30, db_index=True)
    call = models.CharField(_("call"), max_length=64, blank=True, db_index=True)
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    agent = models.CharField(_("agent"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["queue", "at"], name="telephony_event_queue"),
            models.Index(fields=["agent", "at"], name="telephony_event_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.call}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("call events are append-only")
        super().save(*args, **kwargs)

    def as_event(self) -> CallEvent:
        from okienko.telephony.engine.events import CallEvent

        return CallEvent(
            at=self.seconds, kind=self.kind, call=self.call, queue=self.queue, agent=self.agent, data=self.data
        )
