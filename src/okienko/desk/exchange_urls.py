"""The exchange between installations on the desk (Kontraktor part 2, issue 18), under
``/desk/exchange/`` (included from ``desk.urls``, so the names are ``desk:exchange_…``)."""

from django.urls import path

from okienko.desk import exchange_views as views

urlpatterns = [
    path("exchange/", views.institution_view, name="exchange_institution"),
    path("exchange/card.json", views.card_view, name="exchange_card"),
    path("exchange/rotate/", views.rotate_view, name="exchange_rotate"),
    path("exchange/partners/", views.partners_view, name="exchange_partners"),
    path("exchange/partners/<int:pk>/", views.partner_view, name="exchange_partner"),
    path("exchange/messages/", views.messages_view, name="exchange_messages"),
    path("exchange/messages/<int:pk>/", views.message_view, name="exchange_message"),
    path("exchange/files/", views.files_view, name="exchange_files"),
]
