"""Users' choices in the admin, so an administrator can see and correct someone's language
and weekly digest (docs/i18n.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Preferences
from accounts.views import language_choices


class PreferencesAdminForm(forms.ModelForm):
    # The languages by name, as on the account page, rather than a free-text code.
    language = forms.TypedChoiceField(
        label=_("language"), choices=language_choices, required=False, empty_value=""
    )

    class Meta:
        model = Preferences
        fields = ["user", "language", "weekly_digest"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    form = PreferencesAdminForm
    list_display = ["user", "language_name", "weekly_digest"]
    list_filter = ["language", "weekly_digest"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["digest_sent_on"]

    @admin.display(description=_("language"), ordering="language")
    def language_name(self, preferences: Preferences) -> str:
        return dict(language_choices()).get(preferences.language, preferences.language)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A user's row stays theirs: the user is chosen once, when the row is added.
        return [*self.readonly_fields, "user"] if obj is not None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Preferences, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "language" in form.changed_data:
            # Pages read the language from the session, where it was copied at sign-in
            # (accounts.middleware): reading it from here on every request would cost a
            # query each time. E-mails and report files read it here, so at once.
            messages.info(
                request,
                gettext(
                    "%(user)s reads the pages in the new language from their next sign-in "
                    "(or at once if they choose it in the menu); e-mails and reports use "
                    "it from now on."
                )
                % {"user": obj.user.get_username()},
            )
