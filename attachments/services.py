"""Adding and removing attachments: every door (pages, API) writes through here, so the
checks (who, what type, how large) and the history entry are the same for all."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services import batched
from attachments import content
from attachments.models import Attachment, attachment_storage, clean_filename
from attachments.rules import may_add, may_delete, parent_of
from goals.models import CLOSED_MESSAGE, GoalAssessment


def _check_open(parent: Activity | GoalAssessment) -> None:
    # A closed stock-take is a record of its day: its evidence no longer changes either.
    if isinstance(parent, GoalAssessment) and parent.stocktake.was_closed():
        raise ValidationError({"file": [CLOSED_MESSAGE]})


def inspect(upload: UploadedFile) -> str:
    """The upload's content type, checked: FileTooLarge, FileTypeRefused or FileRefused."""
    content.check_upload_size(upload.size)
    upload.seek(0)
    head = content.read_head(upload.chunks())
    upload.seek(0)
    name = clean_filename(upload.name)
    return content.detect(head, filename=name, complete=len(head) >= upload.size)


@transaction.atomic
@batched
def add_attachment(
    *,
    user: AbstractBaseUser,
    parent: Activity | GoalAssessment,
    upload: UploadedFile,
    title: str = "",
) -> Attachment:
    """Store `upload` under a random name and attach it to an activity or an assessment.

    PermissionDenied for whoever may not change the record; FileRefused (a
    ValidationError naming `file`) for an empty, too large or not allowed file.
    """
    if not may_add(user, parent):
        raise PermissionDenied(_("You may not add attachments to this record."))
    _check_open(parent)
    content_type = inspect(upload)
    attachment = Attachment(
        title=(title or "").strip(),
        filename=clean_filename(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
        **{"activity" if isinstance(parent, Activity) else "assessment": parent},
    )
    attachment.full_clean(exclude=["file"])
    attachment.file.save(attachment.filename, upload, save=False)
    stored = attachment.file.name
    # A row that cannot be written leaves no file behind.
    try:
        attachment._history_user = user
        attachment.save()
    except Exception:
        attachment_storage().delete(stored)
        raise
    return attachment


@transaction.atomic
@batched
def remove_attachment(*, user: AbstractBaseUser, attachment: Attachment) -> None:
    """Remove an attachment (Programme managers any, Editors their own); the file goes
    once the transaction commits, the history keeps who removed what."""
    if not may_delete(user, attachment):
        raise PermissionDenied(_("Only Programme managers, or whoever added it, may remove this."))
    _check_open(parent_of(attachment))
    stored = attachment.file.name
    attachment._history_user = user
    attachment.delete()
    transaction.on_commit(lambda: attachment_storage().delete(stored))
