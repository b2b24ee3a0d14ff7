"""With CSRF protection on (as in production), a form post needs the token its page gave."""
import re

import pytest

from tests.public.conftest import NOTHING, receipt_of, stored, valid_form


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_post_without_token_is_refused_and_stores_nothing(client, db):
    response = client.post("/contact", data=valid_form())
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert stored(db) == NOTHING


def test_post_with_token_from_the_form_page_works(client, db):
    token = _csrf_token(client.get("/contact").get_data(as_text=True))
    response = client.post("/contact", data=valid_form(csrf_token=token))
    assert response.status_code == 302
    assert stored(db)["tickets"] == 1


def test_status_and_follow_up_forms_carry_their_tokens(client, db):
    token = _csrf_token(client.get("/contact").get_data(as_text=True))
    client.post("/contact", data=valid_form(csrf_token=token))
    reference, secret = receipt_of(client.get("/contact/received").get_data(as_text=True))

    lookup = client.get("/contact/status").get_data(as_text=True)
    assert client.post("/contact/status", data={"reference": reference, "token": secret}).status_code == 400
    page = client.post("/contact/status", data={"reference": reference, "token": secret,
                                                "csrf_token": _csrf_token(lookup)})
    assert page.status_code == 200

    message = {"reference": reference, "token": secret, "message": "More detail."}
    assert client.post("/contact/status/reply", data=message).status_code == 400
    follow_up = client.post("/contact/status/reply",
                            data={**message, "csrf_token": _csrf_token(page.get_data(as_text=True))})
    assert follow_up.status_code == 302
    assert stored(db)["messages"] == 2
