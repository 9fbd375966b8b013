from django.urls import path

from okienko.channels.sms import views as sms_views

app_name = "channels"
urlpatterns = [
    path("sms/smsapi/<str:secret>/report", sms_views.smsapi_report_view, name="smsapi_report"),
    path("sms/smsapi/<str:secret>/inbound", sms_views.smsapi_inbound_view, name="smsapi_inbound"),
]
