"""People who work the desk, and the API tokens that act for them."""
from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class Role(enum.StrEnum):
    AGENT = "agent"  # works the tickets of their queues
    SUPERVISOR = "supervisor"  # every queue, reassigns, sees metrics
    ADMIN = "admin"  # everything a supervisor can, plus users, channels and settings


queue_members = Table(
    "queue_members",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_id", ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True),
)


class UserLanguage(db.Model):
    """A language an agent answers in (ISO 639-1)."""

    __tablename__ = "user_languages"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Workspace presence: the last request or heartbeat, and whether the agent takes new work.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    available: Mapped[bool] = mapped_column(default=True)
    # Most open tickets automatic assignment gives this agent.
    capacity: Mapped[int] = mapped_column(default=20)
    # When automatic assignment last gave this agent a ticket: round-robin takes the longest-waiting.
    last_assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optional second factor (RFC 6238). The base32 secret is shown once at enrolment and never
    # logged or audited; enrolment is complete once ``totp_enabled_at`` is set. The last accepted
    # time-step refuses the same code twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    queues: Mapped[list["Queue"]] = relationship(  # noqa: F821
        secondary=queue_members, back_populates="members", order_by="Queue.slug"
    )
    language_rows: Mapped[list[UserLanguage]] = relationship(cascade="all, delete-orphan", order_by=UserLanguage.language)

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot hold a session
        return self.is_enabled

    @property
    def sees_all_queues(self) -> bool:
        """Supervisors and admins see every queue except restricted ones they are not members of
        (``auth.access`` applies that exception)."""
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token: only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # The visible start of the token, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
