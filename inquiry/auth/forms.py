"""The staff log-in forms: password, then (if the account has one) the one-time code."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    # No length minimum here: the password policy is checked when a password is set, and a
    # different message for short passwords would tell a guesser something.
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")


class CodeForm(FlaskForm):
    """The six digits of an authenticator app (log-in's second step, and confirming enrolment)."""

    code = StringField("One-time code", validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                  "spellcheck": "false", "maxlength": 20})


class ActionForm(FlaskForm):
    """Nothing but the CSRF token (starting enrolment takes no input)."""
