"""The chat's HTTP addresses: public (availability, start) and the desk console (ADR 0057)."""

from django.urls import path

from okienko.channels.chat import views as public
from okienko.desk import chat_views as desk

app_name = "chat"
urlpatterns = [
    path("czat/dostepnosc", public.availability_view, name="availability"),
    path("czat/start", public.start_view, name="start"),
    path("desk/chat/", desk.console_view, name="console"),
    path("desk/chat/presence", desk.presence_view, name="presence"),
    path("desk/chat/<int:pk>/", desk.session_view, name="session"),
    path("desk/chat/<int:pk>/accept", desk.accept_view, name="accept"),
    path("desk/chat/<int:pk>/close", desk.close_view, name="close"),
    path("desk/chat/<int:pk>/record", desk.record_view, name="record"),
    path("desk/chat/<int:pk>/transcript", desk.transcript_view, name="transcript"),
    path("desk/chat/<int:pk>/suggestions", desk.suggestions_view, name="suggestions"),
]
