import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_with_an_encoded_newline_gets_the_json_404(viewer_api):
    response = viewer_api.get("/api/v1/activities/%0A'8/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
