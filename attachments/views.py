"""The pages' doors to attachments: upload and remove (forms posted from the activity page,
no JavaScript needed), and the download every page links to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from activities.models import Activity
from attachments import content, services
from attachments.downloads import download_response
from attachments.forms import AttachmentForm
from attachments.models import Attachment
from attachments.rules import parent_of, records_visible_to
from attachments.uploads import limit_uploads
from goals.models import GoalAssessment


def download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        return download_response(attachment)
    except FileNotFoundError:
        raise Http404(_("The file is missing from the store.")) from None


def _back(parent: Activity | GoalAssessment) -> HttpResponseRedirect:
    if isinstance(parent, Activity):
        return HttpResponseRedirect(f"{parent.get_absolute_url()}#attachments")
    stocktake = reverse("goals:stocktake", args=[parent.stocktake_id])
    return HttpResponseRedirect(f"{stocktake}#goal-{parent.goal_id}")


@csrf_protect
def _upload(request: HttpRequest, parent: Activity | GoalAssessment) -> HttpResponse:
    try:
        form = AttachmentForm(request.POST, request.FILES)
        valid = form.is_valid()
    except content.FileTooLarge as error:
        messages.error(request, error.text)
        return _back(parent)
    if not valid:
        messages.error(request, _("Choose a file to attach."))
        return _back(parent)
    try:
        attachment = services.add_attachment(
            user=request.user,
            parent=parent,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(parent)
    messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.name})
    return _back(parent)


def upload_view(model: type[Activity] | type[GoalAssessment]):
    """POST from a page's upload form (the activity page, a stock-take's goal); back to
    the page with a message; 403 for whoever may not add.

    CSRF is checked inside, once the size-limiting upload handler is in place: the CSRF
    middleware would otherwise read the whole body first (Django's documented pattern)."""

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        parent = get_object_or_404(records_visible_to(request.user, model), pk=pk)
        limit_uploads(request)
        try:
            return _upload(request, parent)
        except content.FileTooLarge as error:
            # Raised while the CSRF check reads the body: nothing was written.
            messages.error(request, error.text)
            return _back(parent)

    return view


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user).select_related("activity", "assessment"),
        pk=pk,
    )
    parent = parent_of(attachment)
    try:
        # PermissionDenied (not theirs to remove) goes on to the 403 page.
        services.remove_attachment(user=request.user, attachment=attachment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(parent)
    messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.name})
    return _back(parent)
