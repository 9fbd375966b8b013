"""ASGI entry point: HTTP through Django; WebSocket routes are added by the real-time apps."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
django_asgi = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from okienko.conf.lean import ASGIDispatch, LeanASGIHandler  # noqa: E402
from okienko.conf.routing import websocket_urlpatterns  # noqa: E402
from okienko.core.limits import BodySizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(
            ASGIDispatch(django_asgi, LeanASGIHandler()),
            settings.REQUEST_MAX_BYTES,
            getattr(settings, "REQUEST_MAX_BYTES_BY_PATH", {}),
        ),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
