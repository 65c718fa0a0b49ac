"""Helpers for the import tests: rows in the one spreadsheet format, files, admin posts."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from activities.exports import BOM
from goals.models import Programme

IMPORT_URL = "admin:activities_activity_import"
CONFIRM_URL = "admin:activities_activity_process_import"
CSV_FORMAT, XLSX_FORMAT = "0", "1"

HEADER = [
    "id",
    "programme",
    "title",
    "activity_type",
    "status",
    "releasability",
    "start_date",
    "end_date",
    "goals",
    "objectives",
    "allies",
    "location",
    "lead_organisation",
    "participants",
    "women_participants",
    "description",
    "outcome",
]


def row(_programme: Programme, /, **values: Any) -> list[Any]:
    defaults = {
        "id": "",
        "programme": str(_programme),
        "title": "Cyber defence staff talks",
        "activity_type": "consultation",
        "status": "completed",
        "releasability": "internal",
        "start_date": "2024-03-05",
        "end_date": "",
        "goals": "Cyber Defence; Women, Peace and Security",
        "objectives": "1; 2",
        "allies": "FR; EE",
        "location": "Brussels",
        "lead_organisation": "NATO IS",
        "participants": "30",
        "women_participants": "12",
        "description": "",
        "outcome": "Agreed to exchange threat information.",
    }
    defaults.update(values)
    return [defaults[column] for column in HEADER]


def csv_bytes(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return (BOM + out.getvalue()).encode()


def xlsx_bytes(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "activities.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def preview(client: Client, content: bytes, fmt: str = CSV_FORMAT, name: str | None = None):
    name = name or ("activities.xlsx" if fmt == XLSX_FORMAT else "activities.csv")
    return client.post(
        reverse(IMPORT_URL), {"import_file": upload(content, name), "format": fmt, "resource": "0"}
    )


def confirm(client: Client, preview_response):
    form = preview_response.context["confirm_form"]
    assert form is not None, "the preview refused the file"
    return client.post(reverse(CONFIRM_URL), form.initial, follow=True)


def row_errors(response) -> dict[int, dict[str, list[str]]]:
    """The preview's invalid rows: row number -> column -> messages."""
    result = response.context["result"]
    return {r.number: {k: list(v) for k, v in r.error_dict.items()} for r in result.invalid_rows}
