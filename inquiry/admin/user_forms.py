"""Forms of the user and queue pages.

They render the fields and carry the CSRF token; ``inquiry.auth.management`` decides what is
allowed and what is valid, so the pages and the command line give the same answers. Only what is
about reading the form (a capacity that is not a number) is checked here.
"""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from inquiry.auth.models import Role
from inquiry.tickets.forms import choices

ROLE_CHOICES = choices([(role.value, role.value) for role in Role])


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable without a mouse, unlike a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def language_codes(text: str | None) -> list[str]:
    """"en, fr ar" → ["en", "fr", "ar"]; the service checks the codes."""
    return [code for code in re.split(r"[\s,;]+", (text or "").strip().lower()) if code]


class _WorkFields(FlaskForm):
    queues = CheckboxesField("Queues", choices=[], validate_choice=False)
    languages = StringField("Languages", render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 200})
    capacity = IntegerField("Capacity (most open tickets given automatically)", validators=[Optional()],
                            render_kw={"inputmode": "numeric", "min": 0, "max": 500})

    def set_queues(self, queues) -> None:
        self.queues.choices = choices((queue.slug, queue.name) for queue in queues)

    def show_problems(self, fields: dict[str, list[str]]) -> None:
        """Put a service's field problems next to their fields (``queue``/``language`` included)."""
        aliases = {"queue": "queues", "language": "languages", "email": "email", "password": "password"}
        for name, problems in fields.items():
            name = aliases.get(name, name)
            if name in self:
                self[name].errors = list(self[name].errors) + list(problems)
            else:
                self.form_errors.extend(problems)


class NewUserForm(_WorkFields):
    name = StringField("Name", render_kw={"maxlength": 200, "autocomplete": "off"})
    email = StringField("E-mail", render_kw={"maxlength": 254, "autocomplete": "off", "inputmode": "email",
                                             "spellcheck": "false"})
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.AGENT.value, validate_choice=False)
    password = PasswordField("Password (leave blank to make one up)", render_kw={"autocomplete": "new-password"})


class EditUserForm(_WorkFields):
    name = StringField("Name", render_kw={"maxlength": 200, "autocomplete": "off"})
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    # A select, not a checkbox: a field a supervisor is not shown must read as "not sent", not "off".
    is_enabled = SelectField("Account", choices=choices([("yes", "Enabled: can log in"), ("no", "Disabled: cannot log in")]),
                             validate_choice=False)
    available = BooleanField("Available: takes new tickets from automatic assignment")


class QueueMembersForm(FlaskForm):
    members = CheckboxesField("Agents who work this queue", choices=[], validate_choice=False)

    def set_agents(self, agents) -> None:
        self.members.choices = choices(
            (str(user.id), f"{user.name} ({user.email}){'' if user.is_enabled else ' — disabled'}") for user in agents)


class AutoAssignForm(FlaskForm):
    auto_assign = SelectField("Automatic assignment", choices=choices([("on", "on"), ("off", "off")]),
                              validate_choice=False)


class RestrictedForm(FlaskForm):
    is_restricted = SelectField("Restricted", choices=choices([("on", "on"), ("off", "off")]), validate_choice=False)


class ActionForm(FlaskForm):
    """Nothing but the CSRF token (resetting a password takes no input)."""
