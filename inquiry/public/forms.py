"""The public forms: a new inquiry, a status look-up and a follow-up message.

Limits here mirror what the services enforce, so people get a message next to the field
instead of an error page; the services still check, for the API and the CLI.
"""
from __future__ import annotations

import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from inquiry import taxonomy
from inquiry.tickets.references import normalise_reference

# Digits, spaces and + ( ) - only: what people write in a phone number, nothing a script needs.
PHONE_PATTERN = re.compile(r"^[0-9 +()\-]+$")
PHONE_MIN_DIGITS = 5
try:  # WTForms 3.3+: each option says its own language, so screen readers voice "العربية" right
    from wtforms import SelectChoice

    LANGUAGE_CHOICES = [
        SelectChoice("", "Detect automatically"),
        *(SelectChoice(code, name, render_kw={"lang": code}) for code, name in taxonomy.COMMON_LANGUAGES),
    ]
except ImportError:  # older WTForms takes (value, label) pairs
    LANGUAGE_CHOICES = [("", "Detect automatically"), *taxonomy.COMMON_LANGUAGES]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _unix_newlines(value):
    """Browsers send CRLF but count a line break as one character for maxlength: count as they do."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def message_length(form, field) -> None:
    """At most MESSAGE_MAX_CHARS, counted as the services count (without surrounding blanks)."""
    limit = current_app.config["MESSAGE_MAX_CHARS"]
    if field.data and len(field.data.strip()) > limit:
        raise ValidationError(f"Please keep your message to {limit:,} characters or fewer "
                              f"(it has {len(field.data.strip()):,}).")


def phone_number(form, field) -> None:
    if not field.data:
        return
    if not PHONE_PATTERN.match(field.data):
        raise ValidationError("Use only digits, spaces and + ( ) - in a phone number.")
    if sum(ch.isdigit() for ch in field.data) < PHONE_MIN_DIGITS:
        raise ValidationError(f"A phone number has at least {PHONE_MIN_DIGITS} digits.")


def reference_format(form, field) -> None:
    if field.data and normalise_reference(field.data) is None:
        raise ValidationError("A reference looks like INQ-7K3M-Q9PX.")


class LanguageField(SelectField):
    """The language menu, with a message that says what to do instead of "Not a valid choice"."""

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError("Choose a language from the list, or \"Detect automatically\".") from None


class ContactForm(FlaskForm):
    name = StringField(
        "Your name", filters=[_strip],
        validators=[DataRequired("Please tell us your name."), Length(max=200, message="At most 200 characters.")],
    )
    email = EmailField(
        "E-mail address", filters=[_strip],
        validators=[Optional(), Length(max=254, message="At most 254 characters."),
                    Email("This does not look like an e-mail address.")],
    )
    phone = TelField(
        "Phone number", filters=[_strip],
        validators=[Optional(), Length(max=40, message="At most 40 characters."), phone_number],
    )
    subject = StringField(
        "Subject (optional)", filters=[_strip],
        validators=[Optional(), Length(max=200, message="At most 200 characters.")],
    )
    message = TextAreaField(
        "Your message", filters=[_unix_newlines],
        validators=[DataRequired("Please write your message."), message_length],
    )
    language = LanguageField("Language of your message", choices=LANGUAGE_CHOICES, default="")
    # The honeypot: hidden from people (CSS, aria-hidden, no tab stop), filled in by bots.
    website = StringField("Leave this field empty", filters=[_strip])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.email.data and not self.phone.data and not self.email.errors and not self.phone.errors:
            self.email.errors = [*self.email.errors, "Give an e-mail address or a phone number so we can answer you."]
            valid = False
        return valid

    @property
    def is_bot(self) -> bool:
        """True when the honeypot was filled: a person never sees that field."""
        return bool((self.website.data or "").strip())

    @property
    def chosen_language(self) -> str | None:
        return self.language.data or None


class StatusForm(FlaskForm):
    reference = StringField(
        "Reference", filters=[_strip],
        validators=[DataRequired("Please enter your reference."), Length(max=40, message="At most 40 characters."),
                    reference_format],
    )
    token = StringField(
        "Secret token", filters=[_strip],
        validators=[DataRequired("Please enter the secret token you were given."),
                    Length(max=100, message="At most 100 characters.")],
    )


class FollowUpForm(FlaskForm):
    # Re-verified on every post: hidden fields are whatever the client sends.
    reference = HiddenField(filters=[_strip])
    token = HiddenField(filters=[_strip])
    message = TextAreaField(
        "Add a message to your inquiry", filters=[_unix_newlines],
        validators=[DataRequired("Please write your message."), message_length],
    )
