from django import forms
from django.utils.translation import gettext_lazy as _

from attachments.models import Attachment


class AttachmentForm(forms.Form):
    """The pages' upload: the same checks as the API's, in the service."""

    file = forms.FileField(label=_("File"), allow_empty_file=True)
    title = forms.CharField(
        label=_("Title (optional)"),
        max_length=Attachment._meta.get_field("title").max_length,
        required=False,
    )
