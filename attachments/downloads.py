"""Sending an attachment: the one response for the page and the API."""

from __future__ import annotations

from django.http import FileResponse

from attachments.models import Attachment


def download_response(attachment: Attachment) -> FileResponse:
    """The file as a download under its original name (RFC 6266/5987-quoted by Django),
    with the type decided at upload and `nosniff`, so no browser renders it as a page."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser ignored the disposition, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
