"""Public pages opened from messages' signed links (Polish paths, like the portal's)."""

from django.urls import path

from okienko.notifications import public_views

app_name = "notifications_public"
urlpatterns = [
    path("ankieta/<str:token>/", public_views.survey_view, name="survey"),
    path("sprawy/odpowiedz/<str:token>/", public_views.answer_view, name="answer"),
    path("sprawy/odpowiedz/<str:token>/wyslano", public_views.answer_sent_view, name="answer_sent"),
]
