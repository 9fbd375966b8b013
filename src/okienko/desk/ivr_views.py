"""The desk's IVR editor (issue 16): the flows of the organisations a supervisor or administrator
looks after, each flow's latest draft drawn as a graph beside forms that do everything the graph
does, validation, publication, versions with their differences and rollback, test calls on the
draft, and the entry numbers that lead callers to a flow.

The browser keeps the draft's JSON and posts it whole; a save names the revision it started from
and is refused (409) if someone else saved in between, with what they saved and how it differs.
Flows of other organisations are "not found"."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import User
from okienko.core.problems import title as problem_title
from okienko.telephony.engine.ivr import NODE_TYPES
from okienko.telephony.ivr import access as ivr_access
from okienko.telephony.ivr import actions, testcall
from okienko.telephony.ivr.diff import diff_definitions, revision
from okienko.telephony.ivr.models import EntryNumber, Flow, FlowVersion, describe, flow_problems

MAX_BODY = 512 * 1024  # a 200-node flow is ~60 KB of JSON
MAX_DEPTH = 12  # flow → nodes → node → test → list: deeper is not a flow
MAX_NODES = 1000
PROBLEM_BASE = "https://okienko.example/problems/"


class BadInput(Exception):
    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.slug, self.detail = slug, detail


def problem(status: int, slug: str, detail: str, **extra: Any) -> JsonResponse:
    """An error in the problem-details form of the API (RFC 9457)."""
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": problem_title(status)}
    body.update({"status": status, "detail": detail, **extra})
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _editor(request: HttpRequest) -> User:
    if not ivr_access.may_edit_anywhere(request.user):
        raise PermissionDenied("ivr")
    assert isinstance(request.user, User)
    return request.user


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (iteratively: a hostile body must not exhaust the stack)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        if isinstance(item, dict):
            todo.extend((inner, level + 1) for inner in item.values())
        elif isinstance(item, list):
            todo.extend((inner, level + 1) for inner in item)
    return deepest


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise BadInput("too-large", _("The request is too large.")) from exc
    if len(raw) > MAX_BODY:
        raise BadInput("too-large", _("The request is too large."))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadInput("not-json", _("The request is not JSON.")) from exc
    if not isinstance(data, dict):
        raise BadInput("not-an-object", _("A JSON object is expected."))
    if _depth(data) > MAX_DEPTH:
        raise BadInput("too-deep", _("The JSON nests too deeply."))
    return data


def _definition(data: dict[str, Any]) -> dict[str, Any]:
    """The flow definition in a request: an object with ``start`` (text) and ``nodes`` (an
    object of objects with a ``type``). Anything else the validation reports as problems."""
    definition = data.get("definition")
    if not isinstance(definition, dict):
        raise BadInput("bad-definition", _("The flow definition must be a JSON object."))
    nodes = definition.get("nodes")
    if not isinstance(definition.get("start"), str) or not isinstance(nodes, dict):
        raise BadInput("bad-definition", _("The flow needs a start node and an object of nodes."))
    if len(nodes) > MAX_NODES:
        raise BadInput("too-large", _("A flow has at most %(count)d nodes.") % {"count": MAX_NODES})
    if not all(isinstance(node, dict) and isinstance(node.get("type"), str) for node in nodes.values()):
        raise BadInput("bad-definition", _("Every node must be an object with a type."))
    return definition


def _problems(definition: dict[str, Any]) -> list[dict[str, str]]:
    return [{"node": p.node, "code": p.code, "message": describe(p)} for p in flow_problems(definition)]


def _latest(flow: Flow) -> FlowVersion | None:
    return flow.versions.select_related("published_by").order_by("-number").first()


def _draft(flow: Flow) -> FlowVersion | None:
    latest = _latest(flow)
    return latest if latest is not None and latest.editable else None


def json_endpoint(view: Any) -> Any:
    """Bad input of a JSON endpoint is a 400 problem, never a 500; refusals are JSON too."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        except BadInput as exc:
            return problem(400, exc.slug, exc.detail)
        except PermissionDenied:
            return problem(403, "forbidden", _("Only supervisors and administrators edit IVR flows."))
        except Http404:
            return problem(404, "not-found", _("There is no such flow."))
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# -- flows -----------------------------------------------------------------------------------------
class NewFlowForm(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"))
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=60, help_text=gettext_lazy("e.g. pup-9510"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"])
        if Flow.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A flow with this code exists already."))
        return code


@login_required
@require_http_methods(["GET", "POST"])
def flow_list_view(request: HttpRequest) -> HttpResponse:
    """The flows of the organisations the user supervises or configures; a new flow."""
    user = _editor(request)
    organisations = list(ivr_access.editable_organisations(user))
    form = NewFlowForm(
        request.POST if request.method == "POST" else None, organisations=[(o.code, o.name) for o in organisations]
    )
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if o.code == form.cleaned_data["organisation"])
        try:
            flow = actions.create_flow(
                actor=user, organisation=organisation, code=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
        except IntegrityError:
            form.add_error("code", _("A flow with this code exists already."))
        else:
            messages.success(request, _("The flow is created with a first draft."))
            return redirect("ivr:editor", code=flow.code)
    flows = []
    for flow in ivr_access.flows_for(user).prefetch_related("versions", "entry_numbers").order_by("code"):
        versions = sorted(flow.versions.all(), key=lambda v: -v.number)
        published = next((v for v in versions if v.status == FlowVersion.Status.PUBLISHED), None)
        draft = versions[0] if versions and versions[0].editable else None
        flows.append({"flow": flow, "published": published, "draft": draft, "numbers": list(flow.entry_numbers.all())})
    return render(request, "desk/ivr/flows.html", {"flows": flows, "form": form})


FIELD_LABELS = {
    "text": gettext_lazy("Text said to the caller"),
    "prompt": gettext_lazy("Recorded prompt (id)"),
    "next": gettext_lazy("Next node"),
    "on_fail": gettext_lazy("On failure go to"),
    "then": gettext_lazy("If true go to"),
    "else": gettext_lazy("Otherwise go to"),
    "options": gettext_lazy("Options (key → node)"),
    "offices": gettext_lazy("Options (key → office code)"),
    "timeout": gettext_lazy("Time-out (s)"),
    "retries": gettext_lazy("Retries"),
    "invalid_text": gettext_lazy("Text after a wrong key"),
    "var": gettext_lazy("Variable name"),
    "min": gettext_lazy("Fewest digits"),
    "max": gettext_lazy("Most digits"),
    "terminator": gettext_lazy("Ending key"),
    "first_timeout": gettext_lazy("Time-out for the first key (s)"),
    "inter_digit_timeout": gettext_lazy("Time-out between keys (s)"),
    "secret": gettext_lazy("Secret (not logged or shown)"),
    "text_number": gettext_lazy("Text asking for the client number"),
    "text_pin": gettext_lazy("Text asking for the PIN"),
    "locked_text": gettext_lazy("Text when the number is locked"),
    "max_tries": gettext_lazy("Tries"),
    "test": gettext_lazy("Condition"),
    "test_value": gettext_lazy("Office or calendar code, or queue"),
    "test_limit": gettext_lazy("More callers waiting than"),
    "queue": gettext_lazy("Queue"),
    "priority": gettext_lazy("Priority (0–100)"),
    "skills": gettext_lazy("Skills (separated by commas)"),
    "number": gettext_lazy("Phone number"),
    "box": gettext_lazy("Voicemail box"),
    "note": gettext_lazy("Note for editors"),
}
TYPE_LABELS = {
    "play": gettext_lazy("Play"),
    "menu": gettext_lazy("Menu"),
    "collect": gettext_lazy("Collect digits"),
    "authenticate": gettext_lazy("Identify the client"),
    "condition": gettext_lazy("Condition"),
    "choose_office": gettext_lazy("Choose an office"),
    "enqueue": gettext_lazy("Queue for a consultant"),
    "transfer": gettext_lazy("Transfer"),
    "voicemail": gettext_lazy("Voicemail"),
    "callback": gettext_lazy("Callback request"),
    "hangup": gettext_lazy("Hang up"),
}
TEST_LABELS = {
    "office_open": gettext_lazy("The office is open"),
    "holiday": gettext_lazy("It is a public holiday"),
    "queue_waiting_over": gettext_lazy("More callers waiting in a queue than"),
    "queue_agents_available": gettext_lazy("A consultant of a queue is free"),
    "authenticated": gettext_lazy("The caller has identified"),
}


def _texts() -> dict[str, Any]:
    """The editor script's words, in the user's language."""
    return {
        "fields": {k: str(v) for k, v in FIELD_LABELS.items()},
        "types": {k: str(TYPE_LABELS.get(k, k)) for k in NODE_TYPES},
        "tests": {k: str(v) for k, v in TEST_LABELS.items()},
        "none": _("— none —"),
        "start": pgettext("IVR node", "start"),
        "key": pgettext("phone key", "Key"),
        "target": _("Go to"),
        "office": _("Office code"),
        "add_option": _("Add an option"),
        "remove": _("Remove"),
        "remove_option": _("Remove option %(key)s"),
        "no_problems": _("No problems found: the flow may be published."),
        "problems_count": _("Problems found: %(count)s."),
        "saved": _("Saved."),
        "saving": _("Saving…"),
        "unsaved": _("Unsaved changes."),
        "save_failed": _("Not saved: %(detail)s"),
        "conflict": _("Someone else saved this draft meanwhile. Their version and yours differ as shown below."),
        "published": _("Published as version %(number)s."),
        "publish_refused": _("Not published:"),
        "renamed": _("Node %(old)s is now %(new)s."),
        "rename_taken": _("There is already a node %(id)s."),
        "rename_bad": _("Use 1–60 letters, digits, dots, dashes or underscores."),
        "deleted": _("Node %(id)s is deleted."),
        "added": _("Node %(id)s is added."),
        "start_set": _("The call starts at %(id)s."),
        "is_start": _("(start)"),
        "has_problems": _("(problems: %(count)s)"),
        "added_status": _("added"),
        "removed_status": _("removed"),
        "changed_status": _("changed"),
        "flow_fields": _("The flow"),
        "absent": _("(none)"),
        "node": _("Node"),
        "field": _("Field"),
        "before": _("Their version"),
        "after": _("Yours"),
        "same": _("No differences."),
        "awaiting": _("Awaiting: %(what)s"),
        "awaiting_key": _("one key"),
        "awaiting_digits": _("%(min)s–%(max)s digits, then %(terminator)s"),
        "awaiting_digits_noterm": _("%(min)s–%(max)s digits"),
        "ended_enqueue": _("The call waits in the queue %(queue)s."),
        "ended_transfer": _("The call is transferred to %(number)s."),
        "ended_voicemail": _("The caller leaves a message in the box %(box)s."),
        "ended_hangup": _("The call is ended."),
        "timeout": _("No key pressed (time-out)"),
        "pressed": _("Pressed: %(keys)s"),
        "test_error": _("The test call stopped: %(detail)s"),
        "path": _("Path: %(path)s"),
        "error_unexpected_input": _("the flow was not waiting for that (keys or a time-out are awaited)."),
        "error_broken_node": _("a node lacks a field it needs; check the flow."),
        "error_too_long": _("the call went on too long without ending."),
        "read_only": _("This version is published: make a new draft to change it."),
    }


@login_required
@require_GET
def editor_view(request: HttpRequest, code: str) -> HttpResponse:
    """The latest draft of the flow in the graph and the forms; a published flow without a draft
    is shown read-only with a button that makes a new draft from it."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    latest = _latest(flow)
    definition = latest.definition if latest is not None else {"start": "", "nodes": {}}
    return render(
        request,
        "desk/ivr/editor.html",
        {
            "flow": flow,
            "version": latest,
            "editable": latest is not None and latest.editable,
            "state": {
                "definition": definition,
                "revision": revision(definition),
                "editable": latest is not None and latest.editable,
                "problems": _problems(definition if isinstance(definition, dict) else {}),
                "types": list(NODE_TYPES),
                "texts": _texts(),
                "urls": {
                    "save": reverse("ivr:save", args=[flow.code]),
                    "validate": reverse("ivr:validate", args=[flow.code]),
                    "publish": reverse("ivr:publish", args=[flow.code]),
                    "testcall": reverse("ivr:testcall", args=[flow.code]),
                },
            },
            "digits": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"],
        },
    )


@login_required
@require_POST
def new_draft_view(request: HttpRequest, code: str) -> HttpResponse:
    """A new draft from the published version (or the latest one)."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    with transaction.atomic():
        Flow.objects.select_for_update().filter(pk=flow.pk).first()
        if _draft(flow) is not None:
            messages.info(request, _("There is a draft already; it is open below."))
            return redirect("ivr:editor", code=flow.code)
        source = flow.current_version() or _latest(flow)
        definition = source.definition if source is not None else json.loads(json.dumps(actions.STARTER))
        note = f"from v{source.number}" if source is not None else "new draft"
        draft = actions.create_draft(actor=user, flow=flow, definition=definition, note=note)
    messages.success(request, _("Draft version %(number)s is ready to edit.") % {"number": draft.number})
    return redirect("ivr:editor", code=flow.code)


@login_required
@require_POST
@json_endpoint
def save_view(request: HttpRequest, code: str) -> HttpResponse:
    """Save the draft: ``{"definition", "revision"}``. 409 when the stored draft is no longer the
    revision the editor started from (with theirs and the difference), or there is no draft."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    data = _body(request)
    definition = _definition(data)
    started_from = data.get("revision")
    if not isinstance(started_from, str):
        raise BadInput("bad-revision", _("The revision the edit started from is missing."))
    with transaction.atomic():
        Flow.objects.select_for_update().filter(pk=flow.pk).first()  # one save of a flow at a time
        draft = _draft(flow)
        if draft is None:
            return problem(409, "not-a-draft", _("There is no draft to save: make a new draft first."))
        stored = revision(draft.definition)
        if stored != started_from:
            return problem(
                409,
                "edit-conflict",
                _("Someone else saved this draft after you opened it."),
                revision=stored,
                theirs=draft.definition,
                diff=diff_definitions(draft.definition, definition),
            )
        if draft.definition != definition:
            actions.update_draft(actor=user, version=draft, definition=definition)
    return JsonResponse({"ok": True, "revision": revision(definition), "problems": _problems(definition)})


@login_required
@require_POST
@json_endpoint
def validate_view(request: HttpRequest, code: str) -> HttpResponse:
    """The problems of the posted definition, per node, in the user's language."""
    user = _editor(request)
    ivr_access.access_flow(user, code)
    problems = _problems(_definition(_body(request)))
    return JsonResponse({"valid": not problems, "problems": problems})


@login_required
@require_POST
@json_endpoint
def publish_view(request: HttpRequest, code: str) -> HttpResponse:
    """Publish the saved draft (``{"revision"}`` must be the stored one: save first)."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    data = _body(request)
    with transaction.atomic():
        Flow.objects.select_for_update().filter(pk=flow.pk).first()
        draft = _draft(flow)
        if draft is None:
            return problem(409, "not-a-draft", _("There is no draft to publish."))
        if data.get("revision") != revision(draft.definition):
            return problem(409, "edit-conflict", _("The draft changed since you opened it: reload it first."))
        try:
            actions.publish(actor=user, version=draft)
        except ValidationError as exc:
            return problem(
                422,
                "flow-invalid",
                _("The flow cannot be published."),
                reasons=exc.messages,
                problems=_problems(draft.definition),
            )
    return JsonResponse({"ok": True, "number": draft.number, "url": reverse("ivr:editor", args=[flow.code])})


@login_required
@require_POST
@json_endpoint
def testcall_view(request: HttpRequest, code: str) -> HttpResponse:
    """One step of a test call: ``{"definition", "inputs": [...], "services": {...}}`` replayed
    from the start (nothing is stored)."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    data = _body(request)
    definition = _definition(data)
    inputs = data.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise BadInput("bad-inputs", _("The inputs must be a list of texts."))
    if len(inputs) > testcall.MAX_INPUTS:
        raise BadInput("too-large", _("A test call has at most %(count)d inputs.") % {"count": testcall.MAX_INPUTS})
    services = data.get("services", {})
    if not isinstance(services, dict):
        raise BadInput("bad-services", _("The simulated answers must be a JSON object."))
    result = testcall.replay(definition, inputs, testcall.services_from(services), entry=flow.code)
    return JsonResponse(result.as_dict())


# -- versions ------------------------------------------------------------------------------------
def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 7 else None


@login_required
@require_GET
def versions_view(request: HttpRequest, code: str) -> HttpResponse:
    """The flow's versions; ``?a=N&b=M`` compares two of them node by node."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    versions = list(flow.versions.select_related("published_by").order_by("-number"))
    by_number = {v.number: v for v in versions}
    a, b = _number(request.GET.get("a", "")), _number(request.GET.get("b", ""))
    comparison = None
    if a in by_number and b in by_number:
        comparison = _shown(diff_definitions(by_number[a].definition, by_number[b].definition))
    elif request.GET.get("a") or request.GET.get("b"):
        messages.error(request, _("Choose two versions of this flow."))
    return render(
        request,
        "desk/ivr/versions.html",
        {
            "flow": flow,
            "versions": versions,
            "a": by_number.get(a) if a else None,
            "b": by_number.get(b) if b else None,
            "comparison": comparison,
        },
    )


def _shown(diff: dict[str, Any]) -> dict[str, Any]:
    """The difference with its values as text (lists and objects as JSON, absent as None)."""

    def text(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def fields(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**c, "before": text(c["before"]), "after": text(c["after"])} for c in changes]

    return {
        **diff,
        "flow": fields(diff["flow"]),
        "nodes": [{**node, "fields": fields(node["fields"])} for node in diff["nodes"]],
    }


@login_required
@require_POST
def rollback_view(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """A new draft whose definition is that of version ``number``."""
    user = _editor(request)
    flow = ivr_access.access_flow(user, code)
    old = flow.versions.filter(number=number).first()
    if old is None:
        messages.error(request, _("There is no such version."))
        return redirect("ivr:versions", code=flow.code)
    draft = actions.create_draft(actor=user, flow=flow, definition=old.definition, note=f"rollback to v{old.number}")
    messages.success(
        request,
        _("Draft version %(draft)s has the content of version %(old)s; publish it to roll back.")
        % {"draft": draft.number, "old": old.number},
    )
    return redirect("ivr:editor", code=flow.code)


# -- entry numbers -------------------------------------------------------------------------------
NUMBER = re.compile(r"^[0-9]{3,20}$")


def _publishable(user: User) -> list[Flow]:
    """The user's flows that callers can be sent to (a published version exists)."""
    return list(ivr_access.flows_for(user).filter(versions__status=FlowVersion.Status.PUBLISHED).distinct())


@login_required
@require_http_methods(["GET", "POST"])
def numbers_view(request: HttpRequest) -> HttpResponse:
    """The numbers callers dial and their flows; a new number (POST)."""
    user = _editor(request)
    flows = sorted(_publishable(user), key=lambda f: f.code)
    errors: list[str] = []
    values = {"number": "", "name": "", "flow": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip()[:200] for k in values}
        flow = next((f for f in flows if f.code == values["flow"]), None)
        if not NUMBER.match(values["number"]):
            errors.append(_("A phone number has 3 to 20 digits."))
        elif EntryNumber.objects.filter(number=values["number"]).exists():
            errors.append(_("This number is used already."))
        if not values["name"]:
            errors.append(_("Give the number a name."))
        if flow is None:
            errors.append(_("Choose a flow that has a published version."))
        if not errors and flow is not None:
            try:
                actions.create_entry_number(actor=user, number=values["number"], name=values["name"], flow=flow)
            except (ValidationError, IntegrityError):
                errors.append(_("This number is used already."))
            else:
                messages.success(
                    request, _("Number %(number)s leads to %(flow)s.") % {"number": values["number"], "flow": flow.name}
                )
                return redirect("ivr:numbers")
    numbers = list(ivr_access.numbers_for(user).order_by("number"))
    return render(
        request,
        "desk/ivr/numbers.html",
        {"numbers": numbers, "flows": flows, "errors": errors, "values": values},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def number_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a number's flow and whether it is active."""
    user = _editor(request)
    entry = ivr_access.access_number(user, pk)
    code = request.POST.get("flow", "")[:60]
    flow = entry.flow if code == entry.flow.code else next((f for f in _publishable(user) if f.code == code), None)
    if flow is None:
        messages.error(request, _("Choose a flow that has a published version."))
        return redirect("ivr:numbers")
    active = request.POST.get("active") == "on"
    try:
        actions.change_entry_number(actor=user, entry=entry, flow=flow, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Number %(number)s is saved.") % {"number": entry.number})
    return redirect("ivr:numbers")
