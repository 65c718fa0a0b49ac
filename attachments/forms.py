from django import forms

from attachments.models import Attachment


class AttachmentForm(forms.Form):
    """The pages' upload: the same checks as the API's, in the service."""

    file = forms.FileField(label="File", allow_empty_file=True)
    title = forms.CharField(
        label="Title (optional)",
        max_length=Attachment._meta.get_field("title").max_length,
        required=False,
    )
