"""The PDF report draws Japanese: it embeds a font that covers it (Debian's IPAex Gothic)."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

TITLE = "日本・NATOサイバー防衛協議"


def test_a_japanese_title_is_drawn_and_can_be_read_back(client, viewer, japan):
    ActivityFactory(programme=japan, title=TITLE, start_date=datetime.date(2025, 5, 12))
    client.force_login(viewer)
    response = client.get(reverse("reports:pdf", args=[japan.pk]), {"year": 2025})
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert TITLE in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("IPAex" in name for name in fonts), fonts
