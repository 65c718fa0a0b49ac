"""The account page (who you are, your roles, your choices) and the language switcher."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_request, gettext, override
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from accounts.languages import is_supported, remember
from accounts.models import Preferences
from itpp.forms import PageFormMixin


def language_choices() -> list[tuple[str, str]]:
    # Each language under its own name (settings.LANGUAGES), so anyone finds theirs.
    return [("", _("Your browser's language")), *settings.LANGUAGES]


class PreferencesForm(PageFormMixin, forms.ModelForm):
    language = forms.TypedChoiceField(
        label=_("Language"), choices=language_choices, required=False, empty_value=""
    )

    class Meta:
        model = Preferences
        fields = ["weekly_digest", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].help_text = Preferences._meta.get_field("language").help_text


class AccountView(UpdateView):
    """Every signed-in user has one (LoginRequiredMiddleware keeps the others out)."""

    form_class = PreferencesForm
    template_name = "registration/account.html"
    success_url = reverse_lazy("account")

    def get_object(self, queryset: Any = None) -> Preferences:
        # Not saved until the user changes something: no row means the defaults.
        return Preferences.objects.filter(user=self.request.user).first() or Preferences(
            user=self.request.user
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        roles = self.request.user.groups.order_by("name").values_list("name", flat=True)
        return super().get_context_data(roles=list(roles), **kwargs)

    def form_valid(self, form: PreferencesForm) -> HttpResponse:
        language = form.cleaned_data["language"]
        # The message is read on the next page, which is in the language just chosen.
        with override(language or get_language_from_request(self.request)):
            messages.success(self.request, gettext("Your choices are saved."))
        response = super().form_valid(form)
        remember(self.request, response, language)
        return response


def safe_next(request: HttpRequest) -> str:
    """Where to go back to: `next` (or the page the form was on) if it is on this site,
    else the dashboard."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("progress:dashboard")


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The menu's language switcher: a plain form (no JavaScript needed). Saves the choice
    on the account of a signed-in user and in the language cookie, then goes back."""
    language = request.POST.get("language", "")
    if language and not is_supported(language):
        return HttpResponseBadRequest(
            gettext("language: choose one of %(codes)s.")
            % {"codes": ", ".join(code for code, _name in settings.LANGUAGES)},
            content_type="text/plain; charset=utf-8",
        )
    if request.user.is_authenticated:
        Preferences.objects.update_or_create(user=request.user, defaults={"language": language})
    response = HttpResponseRedirect(safe_next(request))
    remember(request, response, language)
    return response
