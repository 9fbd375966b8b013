"""The exchange between installations, under ``/exchange/v1/`` (not ``/api/v1/``: no API tokens —
each request is a signed JWS that authenticates itself)."""

from django.urls import path

from okienko.contracting.exchange import views

app_name = "exchange"
urlpatterns = [
    path("messages", views.messages_view, name="messages"),
    path("pull", views.pull_view, name="pull"),
]
