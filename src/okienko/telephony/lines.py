"""The engine's real phone line, chosen by the installation (``OKIENKO_TELEPHONY_LINE``): none
(the simulator's softphone only), the embedded SIP endpoint (``sip``, optional extra) or Asterisk
(``ari``). The simulator's softphone keeps working beside either. Also the prompts' speech and
their web address, which the browser softphone and Asterisk's media cache fetch."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

if TYPE_CHECKING:
    from okienko.telephony.runtime import Runtime

log = logging.getLogger(__name__)

SALT = "okienko.telephony.prompt"
LINES = ("", "sip", "ari")


class LineError(RuntimeError):
    """The configured line cannot be built (unknown kind, missing extra, bad address)."""


def prompt_token(path: Path) -> str:
    """A signed name for a prompt file: only files the engine chose can be fetched by it."""
    return signing.dumps(str(path), salt=SALT, compress=True)


def prompt_path(token: str) -> Path | None:
    """The file behind ``token`` if the signature holds and it is a prompt's sound (the speech
    cache or a stored prompt recording), else None."""
    try:
        raw = signing.loads(token.removesuffix(".wav"), salt=SALT)
    except signing.BadSignature:
        return None
    path = Path(str(raw))
    if path.suffix.lower() != ".wav" or not path.is_file():
        return None
    from okienko.telephony import audio
    from okienko.telephony.media_models import PromptAudio

    resolved = path.resolve()
    if resolved.is_relative_to(audio.tts_dir().resolve()):
        return resolved
    media = Path(settings.MEDIA_ROOT).resolve()
    if resolved.is_relative_to(media) and PromptAudio.objects.filter(file=str(resolved.relative_to(media))).exists():
        return resolved
    return None


def prompt_url(path: Path, *, absolute: bool = False) -> str:
    """The prompt's web address; it ends in ``.wav``, as Asterisk's media cache needs to know the
    format (ADR 0059; a signed token itself never ends so, ``prompt_path`` drops it)."""
    relative = reverse("phone:prompt_audio", args=[prompt_token(path) + ".wav"])
    base = str(getattr(settings, "TELEPHONY_PROMPT_BASE_URL", "") or "")
    return base.rstrip("/") + relative if absolute and base else relative


def recordings_dir() -> Path:
    """Where lines write recordings until the runtime has stored them."""
    return Path(settings.VAR_DIR) / "recordings" / "incoming"


def configure(runtime: Runtime) -> None:
    """Give the runtime its prompts' speech (when espeak-ng is there) and the agents' phones."""
    from okienko.telephony import audio
    from okienko.telephony.prompts import DjangoPromptSource

    runtime.endpoint_pattern = str(settings.TELEPHONY_AGENT_ENDPOINT)
    runtime.adapter.record_dir = recordings_dir()  # the simulator's (silent) recordings
    if audio.tools_missing():
        log.warning("speech is off: missing %s", ", ".join(audio.tools_missing()))
        return
    runtime.prompts = DjangoPromptSource()
    runtime.prompt_url = prompt_url


def build(runtime: Runtime, kind: str | None = None) -> Any:
    """The configured line's adapter (not started), or None for the simulator only."""
    kind = settings.TELEPHONY_LINE if kind is None else kind
    if kind not in LINES:
        raise LineError(f"OKIENKO_TELEPHONY_LINE must be one of {', '.join(repr(k) for k in LINES)}, not {kind!r}")
    if not kind:
        return None
    from okienko.telephony.prompts import DjangoPromptSource

    prompts = DjangoPromptSource()
    if kind == "sip":
        from okienko.telephony.adapters.sip import SipAdapter

        host, _sep, port = str(settings.TELEPHONY_SIP_LISTEN).rpartition(":")
        if not host or not port.isdigit():
            raise LineError(f"OKIENKO_SIP_LISTEN must be host:port, not {settings.TELEPHONY_SIP_LISTEN!r}")
        return SipAdapter(
            events=runtime,
            prompts=prompts,
            agent_endpoint=runtime.agent_endpoint,
            host=host,
            port=int(port),
            public_host=str(settings.TELEPHONY_SIP_PUBLIC_HOST or host),
            record_dir=recordings_dir(),
        )
    from okienko.telephony.adapters.ari import AriAdapter

    base = str(settings.TELEPHONY_PROMPT_BASE_URL or "")
    return AriAdapter(
        str(settings.TELEPHONY_ARI_URL),
        str(settings.TELEPHONY_ARI_APP),
        str(settings.TELEPHONY_ARI_USER),
        str(settings.TELEPHONY_ARI_PASSWORD),
        runtime,
        prompts,
        runtime.agent_endpoint,
        media_url=(lambda path: prompt_url(path, absolute=True)) if base else None,
        transfer_context=str(settings.TELEPHONY_ARI_TRANSFER_CONTEXT),
    )


async def start(line: Any) -> None:
    await line.start()


async def stop(line: Any) -> None:
    closer = getattr(line, "stop", None) or getattr(line, "close", None)
    if closer is not None:
        await closer()
