"""Stops reading an upload as soon as it passes the size limit: without it, a request
without a Content-Length (chunked) would be spooled to disk whole before being refused."""

from __future__ import annotations

from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest

from attachments import content


class SizeLimitHandler(FileUploadHandler):
    """First in the chain: counts the bytes of every file and raises FileTooLarge past
    the limit; passes the data on to Django's own handlers."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        content.check_size(self.received)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_uploads(request: HttpRequest) -> None:
    """Set before the body is read (request.POST, request.FILES, DRF's request.data).
    If something read it already (the API's CSRF check of a session-authenticated
    request), the service's check of the stored upload's size still refuses it."""
    if hasattr(request, "_files"):
        return
    request.upload_handlers = [
        SizeLimitHandler(request),
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
