import pytest

@pytest.mark.django_db
def test_it_answers_a_host_it_does_not_serve_in_json_under_the_api(client):
    response = client.get("/api/v1/journeys", HTTP_HOST="")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]
    page = client.get("/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")
