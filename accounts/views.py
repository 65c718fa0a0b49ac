"""The account page: who you are, your roles, and your choices (the weekly digest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.views.generic import UpdateView

from accounts.models import Preferences
from itpp.forms import PageFormMixin


class PreferencesForm(PageFormMixin, forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["weekly_digest"]


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
        messages.success(self.request, "Your choices are saved.")
        return super().form_valid(form)
