from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from okienko.core import queues_admin
from okienko.core import views as core_views

admin.site.site_header = _("Okienko — administration")
admin.site.site_title = _("Okienko")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("health", core_views.health_view, name="health"),
    path("favicon.ico", RedirectView.as_view(url="/static/okienko/favicon.svg", permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("okienko.accounts.urls")),
    path("desk/clients/", include("okienko.clients.urls")),
    path("desk/catalogue/", include("okienko.catalogue.urls")),
    path("desk/cases/", include("okienko.cases.urls")),
    path("desk/contacts/", include("okienko.interactions.urls")),
    path("desk/knowledge/", include("okienko.knowledge.urls")),
    path("desk/notifications/", include("okienko.notifications.urls")),
    path("", include("okienko.desk.chat_urls")),
    path("", include("okienko.desk.phone_urls")),
    path("", include("okienko.desk.ivr_urls")),
    path("desk/reports/quality/", include("okienko.reports.quality_urls")),
    path("desk/reports/export/", include("okienko.reports.export_urls")),
    path("desk/reports/labour/", include("okienko.reports.labour_urls")),
    path("desk/reports/builder/", include("okienko.reports.builder_urls")),
    path("desk/reports/map/", include("okienko.reports.spatial_urls")),
    path("desk/", include("okienko.desk.urls")),
    path("api/v1/knowledge/", include("okienko.api.knowledge_urls")),
    path("api/v1/", include("okienko.api.urls")),
    path("exchange/v1/", include("okienko.contracting.exchange.urls")),
    path("pomoc/", include("okienko.knowledge.public_urls")),
    path("", include("okienko.notifications.public_urls")),
    path("channels/", include("okienko.channels.urls")),
    path("", include("okienko.integrations.urls")),
    path("", include("okienko.reports.public_urls")),
    # The admin signs in through our login (lockout, 2FA), never its own form.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/work-queues/", admin.site.admin_view(queues_admin.work_queues_view), name="admin-work-queues"),
    path("admin/", admin.site.urls),
    path("", include("okienko.portal.urls")),
]

handler400 = "okienko.core.views.bad_request"
handler403 = "okienko.desk.errors.permission_denied"
handler404 = "okienko.core.views.page_not_found"
handler500 = "okienko.core.views.server_error"
