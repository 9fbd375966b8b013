from django.urls import path

from okienko.notifications import views

app_name = "notifications"
urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:event>/<str:channel>/<str:language>/", views.template_edit, name="template_edit"),
    path(
        "templates/<str:event>/<str:channel>/<str:language>/preview",
        views.template_preview,
        name="template_preview",
    ),
    path("surveys/", views.survey_results, name="surveys"),
    path("sms-plan", views.sms_plan, name="sms_plan"),
    path("preferences/<str:client_uuid>/", views.preference_view, name="preference"),
]
