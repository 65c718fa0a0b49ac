from __future__ import annotations

from rest_framework import serializers

from attachments.models import Attachment


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment as the API shows it; written only through the upload (multipart)."""

    uploaded_by = serializers.SerializerMethodField(help_text="Username; null if deleted.")
    download = serializers.SerializerMethodField(help_text="The URL that sends the file.")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "title",
            "filename",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, attachment: Attachment) -> str | None:
        user = attachment.uploaded_by
        return user.get_username() if user else None

    def get_download(self, attachment: Attachment) -> str:
        url = attachment.get_api_download_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart upload: the file, and a title to show instead of its name."""

    file = serializers.FileField(allow_empty_file=True, use_url=False)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
