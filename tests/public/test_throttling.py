"""Rate limits per client address: the form against floods, the status page against guessing."""
import pytest

from tests.public.conftest import stored, valid_form


@pytest.fixture
def app_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, CONTACT_RATE_LIMIT="2 per minute", STATUS_RATE_LIMIT="3 per minute")
    return app_config


def test_third_submission_in_a_minute_is_refused(client, db):
    assert client.post("/contact", data=valid_form()).status_code == 302
    assert client.post("/contact", data=valid_form()).status_code == 302
    third = client.post("/contact", data=valid_form())
    assert third.status_code == 429
    assert "Too many requests" in third.get_data(as_text=True)
    assert stored(db)["tickets"] == 2
    # Reading the form is not limited.
    for _ in range(3):
        assert client.get("/contact").status_code == 200


def test_invalid_and_bot_posts_count_too(client, db):
    assert client.post("/contact", data=valid_form(name="")).status_code == 422
    assert client.post("/contact", data=valid_form(website="x")).status_code == 302
    assert client.post("/contact", data=valid_form()).status_code == 429
    assert stored(db)["tickets"] == 0


def test_limit_follows_the_configuration(client, app):
    app.config["CONTACT_RATE_LIMIT"] = "1 per minute"
    assert client.post("/contact", data=valid_form()).status_code == 302
    assert client.post("/contact", data=valid_form()).status_code == 429


def test_status_guesses_and_follow_ups_share_one_budget(client):
    guess = {"reference": "INQ-0000-0000", "token": "guess"}
    assert client.post("/contact/status", data=guess).status_code == 404
    assert client.post("/contact/status", data=guess).status_code == 404
    assert client.post("/contact/status/reply", data={**guess, "message": "hi"}).status_code == 404
    assert client.post("/contact/status", data=guess).status_code == 429
    assert client.post("/contact/status/reply", data={**guess, "message": "hi"}).status_code == 429
    assert client.get("/contact/status").status_code == 200
