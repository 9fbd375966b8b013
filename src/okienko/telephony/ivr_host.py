"""Running an IVR flow for one live call: the interpreter (``engine.ivr``) decides, this host
carries its actions out — prompts to the softphone through the adapter, digits from it, the
authentication against the client register, the enqueue into the ACD, callbacks and voicemail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.utils.translation import gettext as _

from okienko.telephony.engine import ivr
from okienko.telephony.engine.adapter import AUDIO

if TYPE_CHECKING:
    from okienko.telephony.runtime import Call, Runtime

MAX_STEPS = 500  # a flow that loops forever is cut off (validation refuses most such flows)


def services_for(rt: Runtime) -> Any:
    from okienko.telephony.ivr.services import DjangoServices

    def waiting(queue: str) -> int:
        return int(rt.acd.queue_stats(queue).waiting) if queue in rt.info else 0

    def available(queue: str) -> int:
        return int(rt.acd.queue_stats(queue).available) if queue in rt.info else 0

    return DjangoServices(queue_waiting=waiting, queue_available=available)


async def run_flow(rt: Runtime, call: Call, flow: dict[str, Any]) -> None:
    services = services_for(rt)
    session = ivr.IvrSession(
        flow,
        services,
        call=call.id,
        entry=call.entry,
        caller=call.caller,
        clock_now=rt.clock.now,
        sink=rt.ivr_event,
    )

    def step(method: Any) -> Any:  # the interpreter may read the database (authentication)
        return sync_to_async(method, thread_sensitive=True)

    action: Any = await step(session.start)()
    for _n in range(MAX_STEPS):
        call.path = list(session.path)
        if session.client and session.client != call.client:
            call.client = str(session.client)
            summary = await sync_to_async(_summary, thread_sensitive=True)(call.client)
            call.client_number = summary.get("client_number", "")
        call.office = str(session.office or call.office)
        if isinstance(action, ivr.Play):
            # a prompt id names the caller's office's prompt (an announcement is only its office's)
            prompt = action.prompt or ""
            office = session.office or call.office or str(flow.get("default_office") or "")
            if prompt and "/" not in prompt and office:
                prompt = f"{office}/{prompt}"
            text = action.text
            if prompt:
                spoken = await sync_to_async(_prompt_text, thread_sensitive=True)(prompt)
                if spoken is None:  # an announcement switched off: nothing to say today
                    action = await step(session.on_played)()
                    continue
                text = spoken or text
            audio = await rt.prompt_audio(call, prompt, text)
            await rt.to_phone(call, {"type": "prompt", "text": text, **audio})
            await call.adapter.play(call.id, prompt, text)
            action = await step(session.on_played)()
        elif isinstance(action, ivr.Collect):
            audio = await rt.prompt_audio(call, "", action.text)
            await rt.to_phone(
                call,
                {"type": "collect", "text": action.text, "secret": action.secret, "max": action.max, **audio},
            )
            if AUDIO in call.adapter.capabilities:  # a real line hears the question (keys may cut it short)
                await call.adapter.play(call.id, "", action.text)
            digits = await call.adapter.collect(
                call.id,
                action.min,
                action.max,
                action.terminator,
                action.first_timeout,
                action.inter_digit_timeout,
            )
            action = await step(session.on_digits)(digits)
        elif isinstance(action, ivr.Enqueue):
            await rt.consent(call, action.queue)  # a queue that records says so first
            result = rt.enqueue(call, action.queue, action.priority)
            if result == "unknown":
                await rt.say(call, _("This line is not available now."))
                await rt.end(call, "error", tell=True)
            elif result == "full":
                await rt.say(call, _("All lines are busy. Please call later."))
                await rt.end(call, "ivr_hangup", tell=True)
            elif result in ("overflow:voicemail", "overflow:callback"):
                pass  # the overflow handler takes the caller to voicemail or a callback
            elif call.state == "queued":
                await rt.to_phone(call, {"type": "queued", "queue": rt.queue_name(call.queue)})
                if rt.acd.position(call.id) is not None:
                    await rt.announce(call)
            return
        elif isinstance(action, ivr.Transfer):
            await rt.to_phone(call, {"type": "transfer", "number": action.number})
            rt.emit("transfer.out", call, number=action.number)
            await call.adapter.transfer(call.id, action.number)
            await rt.end(call, "transferred", tell=True)
            return
        elif isinstance(action, ivr.Voicemail):
            call.office = _office_of(rt, action.box, call)
            rt._leave_message(call, action.text or _("Leave a message after the tone."))
            return
        elif isinstance(action, ivr.CallbackRequest):
            call.office = action.office or call.office
            await rt._callback(call, action.text, end=False)
            action = await step(session.on_callback_recorded)()
        elif isinstance(action, ivr.Hangup):
            if action.text:
                await rt.say(call, action.text)
            await rt.end(call, "ivr_hangup", tell=True)
            return
        else:
            raise RuntimeError(f"unknown IVR action {action!r}")
    await rt.end(call, "error", tell=True)


def _office_of(rt: Runtime, box: str, call: Call) -> str:
    if box and box != "{office}":
        return box
    return call.office


def _summary(client_id: str) -> dict[str, str]:
    from okienko.telephony import directory

    return directory.client_summary(client_id)


def _prompt_text(prompt_id: str) -> str | None:
    """What a play node's prompt says: its text ("" when it has none or does not exist — the
    node's own text is used), or None for an announcement a supervisor has switched off (the node
    is skipped)."""
    from okienko.telephony.media_models import Prompt

    office, _sep, code = prompt_id.rpartition("/")
    found = Prompt.objects.filter(code=code[:60])
    if office:
        found = found.filter(organisation__code=office)
    prompt = found.order_by("-active", "organisation_id").first()
    if prompt is None:
        return ""
    if not prompt.active:
        return None if prompt.is_announcement else ""
    return str(prompt.text or "")
