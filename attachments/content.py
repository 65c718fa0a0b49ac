"""What a file is, decided from its content (its first bytes), never from its name.

`filetype` (pure Python, no libmagic) recognises the binary formats by their signatures,
the Office and OpenDocument ones by the entries of their ZIP container. Plain text and CSV
have no signature: a file that no signature matches is accepted as text only when it
decodes as UTF-8 without control characters other than tabs and line ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, ngettext

# Content type -> what to call it in messages.
ALLOWED = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PowerPoint (pptx)"
    ),
    "application/vnd.oasis.opendocument.text": "OpenDocument text (odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet (ods)",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation (odp)",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": "plain text",
    "text/csv": "CSV",
}
ALLOWED_NAMES = gettext_lazy(
    "PDF, Word, Excel, PowerPoint (docx, xlsx, pptx), OpenDocument, plain text, CSV, PNG or JPEG"
)
# How much of a file is read to decide its type (filetype reads at most 8 KiB itself).
HEAD_BYTES = 64 * 1024
# Control characters text does not contain (tab, line feed, form feed, carriage return may).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class FileRefused(ValidationError):
    """An upload that is not accepted; `status` is the HTTP status the API answers."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]}, code=type(self).__name__)
        self.text = message


class FileTooLarge(FileRefused):
    status = 413


class FileTypeRefused(FileRefused):
    status = 415


def max_size() -> int:
    return settings.ATTACHMENT_MAX_SIZE


def size_text(size: int) -> str:
    mib = size / (1024 * 1024)
    if mib >= 1:
        return gettext("%(size)s MiB") % {"size": f"{mib:.0f}"}
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}


def check_size(size: int) -> None:
    if size > max_size():
        raise FileTooLarge(
            gettext("The file is over %(limit)s: attachments may be at most %(limit)s.")
            % {"limit": size_text(max_size())}
        )


def check_upload_size(size: int) -> None:
    check_size(size)
    if size == 0:
        raise FileRefused(gettext("The file is empty."))


def _is_text(head: bytes, complete: bool) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the head is still text.
        if complete or error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return not CONTROL.search(text)


def detect(head: bytes, *, filename: str, complete: bool) -> str:
    """The content type of a file from its first bytes (`complete` if that is all of it);
    FileTypeRefused if it is not one of the allowed types."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ALLOWED:
            return kind.mime
        raise FileTypeRefused(
            gettext(
                "“%(filename)s” is a file of type %(type)s (%(extension)s), whatever its "
                "name says; attachments must be %(allowed)s."
            )
            % {
                "filename": filename,
                "type": kind.mime,
                "extension": kind.extension,
                "allowed": ALLOWED_NAMES,
            }
        )
    if head and _is_text(head.removeprefix(b"\xef\xbb\xbf"), complete):
        return "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    raise FileTypeRefused(
        gettext(
            "The type of “%(filename)s” could not be recognised from its content; attachments "
            "must be %(allowed)s."
        )
        % {"filename": filename, "allowed": ALLOWED_NAMES}
    )


def read_head(chunks: Iterable[bytes]) -> bytes:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= HEAD_BYTES:
            break
    return head[:HEAD_BYTES]
