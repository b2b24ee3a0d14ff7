"""Forms of the staff ticket pages.

They render fields and carry the CSRF token; the values are checked by the services
(``tickets.services``) and the list query (``tickets.queries``), so every rule stays in one place
and the web shows the same messages as the API.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField

from inquiry import taxonomy
from inquiry.tickets.models import TicketStatus

try:  # WTForms 3.3+ deprecates (value, label) tuples
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms
    def _Choice(value, label):  # noqa: N802
        return (value, label)


def choices(pairs) -> list:
    """Select options from (value, label) pairs, in the shape this WTForms expects."""
    return [_Choice(value, label) for value, label in pairs]


ANY = ("", "Any")


def status_label(status: TicketStatus | str) -> str:
    return str(getattr(status, "value", status)).replace("_", " ")


def _language_pairs() -> list[tuple[str, str]]:
    common = [(code, f"{name} ({code})") for code, name in taxonomy.COMMON_LANGUAGES]
    seen = {code for code, _ in common}
    return common + [(code, code) for code in sorted(taxonomy.LANGUAGES - seen)]


class TicketFilterForm(FlaskForm):
    """The GET filter form of the list: no CSRF (it changes nothing), values checked by the query."""

    class Meta:
        csrf = False

    queue = SelectField("Queue", choices=choices([ANY]), validate_choice=False)
    status = SelectField(
        "Status", choices=choices([ANY] + [(s.value, status_label(s)) for s in TicketStatus]), validate_choice=False
    )
    priority = SelectField("Priority", choices=choices([ANY] + [(p, p) for p in taxonomy.PRIORITIES]),
                           validate_choice=False)
    topic = SelectField("Topic", choices=choices([ANY] + [(t, t) for t in taxonomy.TOPICS]), validate_choice=False)
    language = SelectField("Language", choices=choices([ANY] + _language_pairs()), validate_choice=False)
    channel = SelectField(
        "Channel",
        choices=choices([ANY] + sorted(taxonomy.CHANNELS.items(), key=lambda item: item[1].lower())),
        validate_choice=False,
    )
    assignee = SelectField("Assignee", choices=choices([ANY, ("me", "Me"), ("none", "Nobody")]), validate_choice=False)
    due = SelectField("SLA due", choices=choices([ANY, ("overdue", "Overdue"), ("1h", "Within 1 hour"),
                                                  ("4h", "Within 4 hours"), ("24h", "Within 24 hours")]),
                      validate_choice=False)
    tag = StringField("Tag")

    FILTERS = ("queue", "status", "priority", "topic", "language", "channel", "assignee")
    EXTRA = ("due", "tag")

    def set_queues(self, queues) -> None:
        self.queue.choices = choices([ANY] + [(queue.slug, queue.name) for queue in queues])

    def filters(self) -> dict[str, str]:
        """The filters in use (empty ones left out), as given to ``queries.list_tickets``."""
        return {name: self[name].data for name in self.FILTERS if self[name].data}


class ReplyForm(FlaskForm):
    reply = TextAreaField("Reply to the sender")
    # The newest inbound message the agent had on screen; a newer one makes the desk ask first.
    seen_inbound_id = HiddenField()
    send_anyway = BooleanField("Send anyway")
    solve = BooleanField("Solve after sending")


class NoteForm(FlaskForm):
    note = TextAreaField("Internal note (never sent)")


class ClaimForm(FlaskForm):
    """Nothing but the CSRF token: claiming takes no input."""


class StatusForm(FlaskForm):
    # Choices are the allowed next statuses, for display; the service decides what is allowed.
    status = SelectField("Change status to", choices=[], validate_choice=False)

    def set_current(self, allowed) -> None:
        ordered = sorted(allowed, key=list(TicketStatus).index)
        self.status.choices = choices((s.value, status_label(s)) for s in ordered)


class AssignForm(FlaskForm):
    # "" unassigns; otherwise a user id. The service checks the person may work the queue.
    assignee = SelectField("Assign to", choices=[], validate_choice=False)

    def set_people(self, users) -> None:
        self.assignee.choices = choices(
            [("", "Nobody (unassign)")] + [(str(user.id), f"{user.name} ({user.role.value})") for user in users]
        )


UNSET = ("", "— choose —")


class LabelsForm(FlaskForm):
    """Correct the router in one action; the service re-queues and records the correction."""

    topic = SelectField("Topic", choices=choices([UNSET] + [(t, t) for t in taxonomy.TOPICS]), validate_choice=False)
    audience = SelectField("Audience", choices=choices([UNSET] + [(a, a) for a in taxonomy.AUDIENCES]),
                           validate_choice=False)
    priority = SelectField("Priority", choices=choices([(p, p) for p in taxonomy.PRIORITIES]), validate_choice=False)
    language = SelectField("Language", choices=choices([UNSET] + _language_pairs()), validate_choice=False)

    LABELS = ("topic", "audience", "priority", "language")

    def changed(self, ticket) -> dict[str, str]:
        """Only what the agent changed (or confirmed, for a label the router was unsure of)."""
        return {name: self[name].data for name in self.LABELS
                if self[name].data and (self[name].data != getattr(ticket, name) or ticket.queue.slug == "triage")}


class EscalateForm(FlaskForm):
    reason = TextAreaField("Why does a supervisor need to see it?")


class MergeForm(FlaskForm):
    target = StringField("Merge into ticket (reference)")


class TagsForm(FlaskForm):
    add = StringField("Add tags")
    remove = HiddenField()


class BulkForm(FlaskForm):
    ids = SelectMultipleField("Selected tickets", choices=[], validate_choice=False)
    action = SelectField("Action", choices=choices([("assign", "Assign to"), ("tag", "Tag"), ("solve", "Solve")]),
                         validate_choice=False)
    assignee = SelectField("Assignee", choices=[], validate_choice=False)
    tags = StringField("Tags")
