"""Forms of the channel account pages.

They render the fields and carry the CSRF token. The values are checked by
``inquiry.channels.services`` (``add_account``, ``update_account``), so the pages, the CLI and
any API give the same answers; only what is about the form itself (a secret typed *and* marked
for removal, an unticked confirmation) is checked here.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from inquiry import taxonomy
from inquiry.channels.services import CREDENTIALS, KEEP, SETTINGS, is_sensitive_option
from inquiry.tickets.forms import choices

CREDENTIAL_LABELS = {
    "signing_secret": "Signing secret",
    "verify_token": "Verify token",
    "access_token": "Access token",
}


def _platform_choices() -> list:
    ordered = sorted(taxonomy.CHANNELS.items(), key=lambda item: item[1].lower())
    return choices([("", "Choose a platform")] + [(slug, f"{name} ({slug})") for slug, name in ordered])


def _language_choices() -> list:
    common = [(code, f"{name} ({code})") for code, name in taxonomy.COMMON_LANGUAGES]
    seen = {code for code, _ in common}
    return choices([("", "None (detect)")] + common + [(code, code) for code in sorted(taxonomy.LANGUAGES - seen)])


def _secret(label: str) -> PasswordField:
    # PasswordField never writes its value back into the page, even after a refused submit.
    return PasswordField(label, render_kw={"autocomplete": "new-password", "spellcheck": "false"})


class AccountFields(FlaskForm):
    """The fields an account is added and edited with (names match the service's fields)."""

    name = StringField("Name", render_kw={"maxlength": 120, "autocomplete": "off"})
    external_account_id = StringField("External account id", render_kw={"maxlength": 200, "autocomplete": "off"})
    api_base_url = StringField("API base URL", render_kw={"maxlength": 500, "inputmode": "url", "autocomplete": "off",
                                                           "placeholder": "https://api.example.com"})
    default_language = SelectField("Default language", choices=_language_choices(), validate_choice=False)
    options = TextAreaField("Options", render_kw={"rows": 5, "spellcheck": "false"})
    signing_secret = _secret(CREDENTIAL_LABELS["signing_secret"])
    verify_token = _secret(CREDENTIAL_LABELS["verify_token"])
    access_token = _secret(CREDENTIAL_LABELS["access_token"])

    def settings(self) -> dict:
        """Name, ids, URL, language and the options text, as the service takes them."""
        return {name: self[name].data for name in SETTINGS} | {"options": self.options.data or ""}

    def show_problems(self, fields: dict[str, list[str]]) -> None:
        """Put a service's field problems next to the fields they are about."""
        for name, problems in fields.items():
            if name in self:
                self[name].errors = list(problems)
            else:
                self.form_errors.extend(problems)

    def hide_sensitive_options(self, current: dict | None) -> None:
        """Before showing a refused form again: a sensitive option keeps the KEEP marker if it still
        holds the stored value, otherwise its value is blanked (to be typed again, like a password)."""
        lines = []
        for line in (self.options.data or "").splitlines():
            key, sep, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if sep and is_sensitive_option(key) and value and value != KEEP:
                stored = (current or {}).get(key)
                line = f"{key}={KEEP if stored is not None and stored == value else ''}"
            lines.append(line)
        self.options.data = "\n".join(lines)


class NewAccountForm(AccountFields):
    platform = SelectField("Platform", choices=_platform_choices(), validate_choice=False)

    def credentials(self) -> dict:
        return {name: self[name].data for name in CREDENTIALS if self[name].data}


class EditAccountForm(AccountFields):
    """A blank secret keeps the stored one; its "remove" box deletes it."""

    clear_signing_secret = BooleanField("Remove the stored signing secret")
    clear_verify_token = BooleanField("Remove the stored verify token")
    clear_access_token = BooleanField("Remove the stored access token")

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        for name in CREDENTIALS:
            if self[name].data and self[f"clear_{name}"].data:
                self[name].errors = list(self[name].errors) + [
                    "Type a new value or tick “remove”, not both."]
                is_valid = False
        return is_valid

    def credentials(self) -> dict:
        """Only the credentials to change: None removes one, a typed value replaces it."""
        changes = {}
        for name in CREDENTIALS:
            if self[f"clear_{name}"].data:
                changes[name] = None
            elif self[name].data:
                changes[name] = self[name].data
        return changes


class ActionForm(FlaskForm):
    """Nothing but the CSRF token: enabling and disabling take no input."""


class RotateKeyForm(FlaskForm):
    confirm = BooleanField(
        "I understand that the current webhook URL stops working at once and the platform must be given the new one.",
        validators=[DataRequired(message="Tick the box to confirm: the old URL stops working at once.")],
    )

