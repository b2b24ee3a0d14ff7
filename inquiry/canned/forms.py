"""Forms of the canned reply pages.

They render the fields and carry the CSRF token; the values are checked by
``inquiry.canned.services`` so every rule is written once. A reply's variants are rows of a
FieldList: one per language, plus an empty one to add a language.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField

from inquiry import taxonomy
from inquiry.tickets.forms import choices

MAX_VARIANTS = 60  # far more languages than any reply has; stops a crafted form from growing without end


def _language_pairs() -> list[tuple[str, str]]:
    common = [(code, f"{name} ({code})") for code, name in taxonomy.COMMON_LANGUAGES]
    seen = {code for code, _ in common}
    return common + [(code, code) for code in sorted(taxonomy.LANGUAGES - seen)]


LANGUAGE_CHOICES = [("", "Choose a language")] + _language_pairs()


class VariantForm(Form):
    """One language of a reply (a plain Form: the page's CSRF token covers the rows)."""

    language = SelectField("Language", choices=choices(LANGUAGE_CHOICES), validate_choice=False)
    body = TextAreaField("Reply", render_kw={"rows": 6})
    remove = BooleanField("Remove this language")


class CannedReplyForm(FlaskForm):
    title = StringField("Title", render_kw={"maxlength": 120, "autocomplete": "off"})
    shortcut = StringField("Shortcut", render_kw={"maxlength": 40, "autocomplete": "off", "spellcheck": "false"})
    queue = SelectField("Offered in", choices=[], validate_choice=False)
    topic = SelectField("Topic", choices=choices([("", "Any topic")] + [(t, t) for t in taxonomy.TOPICS]),
                        validate_choice=False)
    variants = FieldList(FormField(VariantForm), min_entries=0, max_entries=MAX_VARIANTS)

    def set_queues(self, queues) -> None:
        self.queue.choices = choices([("", "Every queue")] + [(q.slug, q.name) for q in queues])

    def ensure_blank_row(self) -> None:
        """An empty row at the end, to add a language without any script."""
        rows = list(self.variants)
        if len(rows) < MAX_VARIANTS and (not rows or rows[-1].form.language.data or rows[-1].form.body.data):
            self.variants.append_entry({"language": "", "body": ""})

    def variant_pairs(self) -> list[tuple[str, str]]:
        """(language, body) for each row kept: rows marked "remove" and untouched blank rows are dropped."""
        pairs = []
        for row in self.variants:
            language, body = row.form.language.data or "", row.form.body.data or ""
            if row.form.remove.data or (not language and not body.strip()):
                continue
            pairs.append((language, body))
        return pairs

    def show_problems(self, fields: dict[str, list[str]]) -> None:
        """Put a service's field problems next to their fields; ``variants.xx`` goes to that row."""
        for name, problems in fields.items():
            if name.startswith("variants."):
                code = name.partition(".")[2]
                row = next((r for r in self.variants if (r.form.language.data or "") == code and not r.form.remove.data), None)
                if row is not None:
                    row.form.body.errors = list(row.form.body.errors) + list(problems)
                    continue
                self.form_errors.extend(f"{code}: {p}" for p in problems)
            elif name in self and name != "variants":
                self[name].errors = list(self[name].errors) + list(problems)
            else:
                self.form_errors.extend(problems)


class ActionForm(FlaskForm):
    """Nothing but the CSRF token: enabling and disabling take no input."""
