"""The employer's team (issue 19, item 1: several users per employer): included by ``portal/urls.py``."""

from django.urls import path

from okienko.portal import team_views

urlpatterns = [
    path("konto/zespol/", team_views.team_view, name="team"),
    path("konto/zespol/zaproszenia/<uuid:uuid>/anuluj/", team_views.cancel_view, name="team_invitation_cancel"),
    path("konto/zespol/czlonkowie/<int:pk>/wylacz/", team_views.member_off_view, name="team_member_off"),
    path("konto/zespol/czlonkowie/<int:pk>/wlacz/", team_views.member_on_view, name="team_member_on"),
    path("konto/zaproszenie/<str:token>/", team_views.invitation_view, name="team_invitation"),
]
