"""Message templates, read-only: the wording each office's clients get, event by event."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.accounts.models import Organisation
from okienko.api.base import ApiViewSet
from okienko.api.models import Scope
from okienko.api.problems import ProblemError
from okienko.notifications import rendering
from okienko.notifications.models import Channel, Event, Language


class TemplateSerializer(serializers.Serializer[dict[str, Any]]):
    event = serializers.ChoiceField(choices=Event.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    subject = serializers.CharField(allow_blank=True)
    body = serializers.CharField()
    source = serializers.ChoiceField(choices=[("shipped", "shipped"), ("office", "office")])  # type: ignore[assignment]  # a field named like Field.source in the stubs
    organisation = serializers.CharField(allow_null=True, help_text="The office whose wording it is (null: shipped).")
    updated_at = serializers.DateTimeField(allow_null=True)


class NotificationTemplateViewSet(ApiViewSet):
    read_scope = Scope.CATALOGUE_READ
    pagination_class = None  # type: ignore[assignment]  # a short, fixed list
    filter_backends: list[Any] = []

    @extend_schema(
        summary="The message templates in use for an office (its own wording or the shipped one)",
        parameters=[
            OpenApiParameter("organisation", str, description="Office code; without it, the shipped wording."),
            OpenApiParameter("event", str, enum=Event.values),
            OpenApiParameter("channel", str, enum=Channel.values),
        ],
        responses=TemplateSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        organisation = None
        code = request.query_params.get("organisation")
        if code:
            organisation = Organisation.objects.filter(code=code).first()
            if organisation is None:
                raise ProblemError(
                    400, _("Unknown organisation."), errors={"organisation": [_("Unknown organisation.")]}
                )
        wanted_event = request.query_params.get("event")
        wanted_channel = request.query_params.get("channel")
        for name, value, allowed in (
            ("event", wanted_event, Event.values),
            ("channel", wanted_channel, Channel.values),
        ):
            if value and value not in allowed:
                raise ProblemError(400, _("Unknown value."), errors={name: [_("Unknown value.")]})
        rows: list[dict[str, Any]] = []
        for event in Event.values:
            if wanted_event and event != wanted_event:
                continue
            for channel in Channel.values:
                if wanted_channel and channel != wanted_channel:
                    continue
                for language in Language.values:
                    found = rendering.wording(organisation, event, channel, language)
                    if found is None:
                        continue
                    stored = found.template
                    rows.append(
                        {
                            "event": event,
                            "channel": channel,
                            "language": language,
                            "subject": found.subject,
                            "body": found.body,
                            "source": "office" if stored is not None else "shipped",
                            "organisation": stored.organisation.code if stored and stored.organisation else None,
                            "updated_at": stored.updated_at if stored else None,
                        }
                    )
        return Response(TemplateSerializer(rows, many=True).data)  # type: ignore[arg-type]
