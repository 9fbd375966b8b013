"""The phone's HTTP addresses: the desk's console, wallboard, reports and staffing, and the
simulator's softphone (``/telefon/`` for everyone on the embedded demo; issue 15)."""

from django.urls import path

from okienko.desk import browser_phone_views
from okienko.desk import phone_views as views

app_name = "phone"
urlpatterns = [
    path("desk/phone/", views.console_view, name="console"),
    path("desk/phone/pop", views.pop_view, name="pop"),
    path("desk/phone/browser-phone", browser_phone_views.credentials_view, name="browser_phone"),
    path("desk/phone/wrap-up", views.wrap_up_view, name="wrap_up"),
    path("desk/phone/callback", views.callback_outcome_view, name="callback_outcome"),
    path("desk/phone/wallboard/", views.wallboard_view, name="wallboard"),
    path("desk/phone/reports/", views.reports_view, name="reports"),
    path("desk/phone/staffing/", views.staffing_view, name="staffing"),
    path("desk/phone/softphone/", views.softphone_view, name="softphone"),
    path("telefon/", views.softphone_view, name="public_softphone"),
    path("telefon/prompt/<str:token>", views.prompt_audio_view, name="prompt_audio"),
]
