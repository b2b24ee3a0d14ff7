"""Finding or creating the contact behind an inbound message, and linking contacts."""
from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from inquiry.audit.services import record
from inquiry.contacts.models import Contact, Person
from inquiry.extensions import db


# Contact.external_id's column size.
KEY_LENGTH = 200


def _fitted(key: str) -> str:
    """Keys longer than the column (a 254-character e-mail with its prefix) are hashed to fit."""
    return key if len(key) <= KEY_LENGTH else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def contact_key(platform: str, *, external_id: str | None, email: str | None, phone: str | None) -> str | None:
    """The identity of a sender on a channel: the platform id, else e-mail, else phone."""
    if external_id:
        return _fitted(external_id.strip())
    if email:
        return _fitted("email:" + email.strip().lower())
    if phone:
        return _fitted("phone:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+"))
    return None


# Built once: intake looks a sender up for every message.
_BY_KEY = select(Contact).where(Contact.platform == bindparam("platform"), Contact.external_id == bindparam("external_id"))


def upsert_contact(
    platform: str,
    external_id: str,
    *,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
) -> Contact:
    """The contact for (platform, external_id), created if new; fresh details fill the gaps."""
    contact = db.session.scalar(_BY_KEY, {"platform": platform, "external_id": external_id})
    if contact is None:
        # Two first messages from one sender may arrive at once: let the database pick the winner.
        # A new contact is inserted with its details: one INSERT, no UPDATE after it.
        try:
            with db.session.begin_nested():
                contact = Contact(platform=platform, external_id=external_id, display_name=display_name or None,
                                  email=email or None, phone=phone or None, language=language or None)
                db.session.add(contact)
            return contact
        except IntegrityError:
            contact = db.session.scalar(_BY_KEY, {"platform": platform, "external_id": external_id})
    if display_name:
        contact.display_name = display_name
    if email:
        contact.email = email
    if phone:
        contact.phone = phone
    if language and not contact.language:
        contact.language = language
    return contact


def link_contacts(first: Contact, second: Contact, *, actor=None) -> Person:
    """Record that two contacts are the same human; their people are merged into one."""
    person = first.person or second.person or Person(name=first.display_name or second.display_name)
    if first.person and second.person and first.person is not second.person:
        absorbed = second.person
        for contact in list(absorbed.contacts):
            contact.person = person
        db.session.delete(absorbed)
    first.person = person
    second.person = person
    db.session.add(person)
    db.session.flush()
    record(
        "contact.linked",
        actor=actor,
        subject=f"person:{person.id}",
        after={"contacts": sorted(c.id for c in person.contacts)},
    )
    return person
