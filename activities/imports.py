"""Reading a spreadsheet for import, within limits checked before it is parsed.

A 10 KB XLSX can unpack to hundreds of megabytes and tens of thousands of rows, and the
admin's preview renders every row. So an import file is refused, with a message saying
which limit it broke, when it is larger than `IMPORT_MAX_FILE_SIZE`, when an XLSX declares
more than `IMPORT_MAX_UNPACKED_SIZE` once unpacked (the zip's directory is read, nothing is
decompressed; Python's zipfile never inflates a member beyond its declared size), or when it
holds more than `IMPORT_MAX_ROWS` rows (counted while streaming, stopping at the first row
too many).

Only CSV (UTF-8, with or without BOM) and XLSX are offered: the formats the exports write.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import IO, Any

import tablib
from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext
from import_export.formats import base_formats
from import_export.forms import ImportForm

from activities.exports import BOM


class ImportRefused(ValueError):
    """The file breaks a limit or cannot be read; the message says why, for the user."""


def _size(n: int) -> str:
    mib = n / (1024 * 1024)
    if n >= 1024 * 1024:
        return gettext("%(size)s MiB") % {"size": f"{mib:g}"}
    return ngettext("%(size)s byte", "%(size)s bytes", n) % {"size": f"{n:,}"}


def check_file_size(size: int) -> None:
    limit = settings.IMPORT_MAX_FILE_SIZE
    if size > limit:
        raise ImportRefused(
            gettext(
                "The file is %(size)s; at most %(limit)s can be imported at once. "
                "Split it into several files."
            )
            % {"size": _size(size), "limit": _size(limit)}
        )


def check_unpacked_size(file: IO[bytes]) -> None:
    """Refuse an XLSX (a zip) whose members declare more than the limit, unread."""
    try:
        members = zipfile.ZipFile(file).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(
            gettext(
                "The file is not a readable XLSX workbook: save it from Excel as “Excel "
                "Workbook (.xlsx)”, or choose the CSV format."
            )
        ) from None
    unpacked = sum(member.file_size for member in members)
    limit = settings.IMPORT_MAX_UNPACKED_SIZE
    if unpacked > limit:
        raise ImportRefused(
            gettext(
                "The workbook unpacks to %(size)s; at most %(limit)s can be "
                "imported. Remove unused sheets or split it into several files."
            )
            % {"size": _size(unpacked), "limit": _size(limit)}
        )


def check_row_count(count: int) -> None:
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise ImportRefused(
            ngettext(
                "The file has more than %(limit)s row; at most %(limit)s can be imported at "
                "once. Split it into several files.",
                "The file has more than %(limit)s rows; at most %(limit)s can be imported at "
                "once. Split it into several files.",
                limit,
            )
            % {"limit": f"{limit:,}"}
        )


class ActivityCSV(base_formats.CSV):
    """CSV as the exports write it (UTF-8, BOM optional), within the limits."""

    # Read as bytes, so that this class decodes it (and says so when it is not UTF-8).
    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, bytes):
            check_file_size(len(in_stream))
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ImportRefused(
                    gettext("The file is not UTF-8 text: save it from Excel as “CSV UTF-8”.")
                ) from None
        else:
            check_file_size(len(in_stream.encode()))
        in_stream = in_stream.removeprefix(BOM)
        # Count records (a cell may span lines) before building rows of them.
        records = -1  # the header
        for _ in csv.reader(io.StringIO(in_stream)):
            records += 1
            if records > settings.IMPORT_MAX_ROWS:
                check_row_count(records)
        return tablib.import_set(in_stream, format="csv")


class ActivityXLSX(base_formats.XLSX):
    """The first sheet of an XLSX workbook, within the limits; date cells stay dates."""

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        import openpyxl

        check_file_size(len(in_stream))
        check_unpacked_size(io.BytesIO(in_stream))
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged file
            raise ImportRefused(
                gettext(
                    "The file is not a readable XLSX workbook: save it from Excel as “Excel "
                    "Workbook (.xlsx)”, or choose the CSV format."
                )
            ) from None
        try:
            rows = book.active.iter_rows(values_only=True)
            header = list(next(rows, ()))
            # Excel often reports formatted but empty columns and rows: drop them.
            while header and header[-1] in (None, ""):
                header.pop()
            dataset = tablib.Dataset(headers=[str(name).strip() for name in header])
            width = len(header)
            for row in rows:
                values = list(row[:width]) + [None] * (width - len(row))
                if all(value in (None, "") for value in values):
                    continue
                dataset.append(values)
                check_row_count(len(dataset))
        finally:
            book.close()
        return dataset


IMPORT_FORMATS = [ActivityCSV, ActivityXLSX]


class ActivityImportForm(ImportForm):
    """The admin's import form, refusing a file over the size limits before it is read."""

    def clean_import_file(self) -> Any:
        file = self.cleaned_data["import_file"]
        try:
            check_file_size(file.size)
            file.seek(0)
            if file.read(4) == b"PK\x03\x04":  # a zip, i.e. an XLSX
                file.seek(0)
                check_unpacked_size(file)
        except ImportRefused as error:
            raise forms.ValidationError(str(error)) from None
        finally:
            file.seek(0)
        return file
