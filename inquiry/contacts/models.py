"""Senders: one Contact per person per platform; a Person links the contacts of one human."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class Person(db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list["Contact"]] = relationship(back_populates="person")


class Contact(db.Model):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Channel slug (taxonomy PLATFORMS, or web-form / api).
    platform: Mapped[str] = mapped_column(String(32))
    # The sender's id on that platform; for the web form and API, a normalised e-mail or phone.
    external_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person | None] = relationship(back_populates="contacts")

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    def __repr__(self) -> str:
        return f"<Contact {self.platform}:{self.external_id}>"
