"""The admin's work-queue page: every registered queue's depth, lag and dead letters (ADR 0046)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from okienko.core import workqueue


def _may_replay(request: HttpRequest, queue: workqueue.WorkQueue[workqueue.Claimable]) -> bool:
    meta = queue.model._meta
    return request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")


@require_http_methods(["GET", "POST"])
def work_queues_view(request: HttpRequest) -> HttpResponse:
    """GET: the queues' figures. POST ``queue``: replay that queue's dead letters (needs the change
    permission of its model; audited)."""
    queues = workqueue.registered()
    if request.method == "POST":
        try:
            queue = workqueue.get(request.POST.get("queue", ""))
        except KeyError:
            raise Http404(_("No such work queue.")) from None
        if not _may_replay(request, queue):
            raise PermissionDenied
        count = workqueue.replay_dead_letters(actor=request.user, queue=queue)
        messages.success(request, _("Put back in the queue: %(n)d.") % {"n": count})
        return HttpResponseRedirect(reverse("admin-work-queues"))
    rows = [(queue.metrics(), _may_replay(request, queue)) for queue in queues]
    context = {
        **admin.site.each_context(request),
        "title": _("Work queues"),
        "rows": rows,
    }
    return render(request, "admin/core/work_queues.html", context)
