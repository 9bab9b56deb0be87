"""The JSON API describes itself and answers errors in one shape."""

import pytest


@pytest.mark.django_db
def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.") and doc["info"]["title"] == "Bridge API"


@pytest.mark.django_db
def test_interactive_docs_are_served_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()


@pytest.mark.django_db
def test_unknown_api_path_is_404(client):
    assert client.get("/api/v1/no-such-thing").status_code == 404
