"""Log-out is a POST with a CSRF token, so another site cannot log staff out with a link."""
import pytest

from tests.auth.conftest import csrf_from


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_logout_needs_post_and_csrf(client, make, log_in):
    agent = make.agent()
    assert log_in(agent.email, make.password).status_code == 302
    page = client.get("/tickets/")
    assert page.status_code == 200

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/tickets/").status_code == 200  # still logged in

    response = client.post("/logout", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/tickets/").status_code == 302


def test_login_itself_needs_the_csrf_token(client, make):
    agent = make.agent()
    response = client.post("/login", data={"email": agent.email, "password": make.password})
    assert response.status_code == 400
    assert client.get("/tickets/").status_code == 302
