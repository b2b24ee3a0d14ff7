"""The command line: users and tokens, through the same services as the web."""
from click.testing import CliRunner
from flask.cli import ScriptInfo

from inquiry.auth.models import User
from inquiry.auth.services import token_for
from inquiry.cli import main


def run(app, *args, input=None):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app), input=input)


def test_user_create_with_password_on_stdin(app, db):
    result = run(app, "user", "create", "Nadia@Inquiry.Example.org", "--role", "agent", "--password-stdin",
                 "--queue", "education", "--queue", "triage", "--language", "fr", "--language", "ar",
                 input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="nadia@inquiry.example.org").one()
    assert [q.slug for q in user.queues] == ["education", "triage"]
    assert user.languages == ["ar", "fr"]
    assert user.password_hash and "a long enough password" not in user.password_hash


def test_user_create_refuses_bad_input_and_writes_nothing(app, db):
    for args, stdin, message in [
        (["--queue", "no-such-queue"], "a long enough password\n", "unknown queue"),
        (["--language", "xx"], "a long enough password\n", "unknown language"),
        ([], "short\n", "at least 12"),
    ]:
        result = run(app, "user", "create", "x@inquiry.example.org", "--password-stdin", *args, input=stdin)
        assert result.exit_code != 0 and message in result.output
    assert db.session.query(User).count() == 0


def test_duplicate_user_is_refused(app, make):
    user = make.agent()
    result = run(app, "user", "create", user.email, "--password-stdin", input="a long enough password\n")
    assert result.exit_code != 0 and "already exists" in result.output


def test_token_create_prints_a_token_that_authenticates(app, make):
    user = make.agent()
    result = run(app, "token", "create", user.email, "--name", "crm bridge")
    assert result.exit_code == 0, result.output
    plain = result.output.strip()
    assert token_for(plain).user_id == user.id


def test_token_create_for_unknown_user_fails(app):
    result = run(app, "token", "create", "nobody@inquiry.example.org")
    assert result.exit_code != 0 and "no user" in result.output
