"""Managing the people who work the desk and the queues they work: who may change what.

Administrators manage every account. Supervisors manage the work of agents (queues, languages,
capacity, availability) but never roles, accounts being switched on or off, or administrators.
Nobody can lock themselves out, and the desk always keeps one enabled administrator. Every change
writes an audit event with the values before and after; the caller commits once.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from inquiry.audit.services import record
from inquiry.auth import services as accounts
from inquiry.auth.models import Role, User
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets.models import Queue

MAX_CAPACITY = 500
NAME_MAX = 200
# What a supervisor may change, and only on agents (and on themselves).
SUPERVISOR_FIELDS = frozenset({"queues", "languages", "capacity", "available"})


def generate_password() -> str:
    """A password to show once: 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def get_queue(slug: str) -> Queue:
    queue = db.session.scalar(select(Queue).filter_by(slug=slug))
    if queue is None:
        raise NotFound("no such queue")
    return queue


def can_manage(actor: User, user: User) -> bool:
    """Whether ``actor`` may open ``user``'s page to change anything at all."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.SUPERVISOR and (user.role == Role.AGENT or user.id == actor.id)


def allowed_fields(actor: User, user: User) -> frozenset[str]:
    """The fields of ``user`` that ``actor`` may change (empty: none)."""
    if actor.role == Role.ADMIN:
        return SUPERVISOR_FIELDS | {"name", "role", "is_enabled"}
    return SUPERVISOR_FIELDS if can_manage(actor, user) else frozenset()


def _snapshot(user: User) -> dict:
    return {
        "name": user.name,
        "role": user.role.value,
        "is_enabled": user.is_enabled,
        "queues": [q.slug for q in user.queues],
        "languages": list(user.languages),
        "capacity": user.capacity,
        "available": user.available,
    }


def _capacity(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid("capacity must be a whole number", fields={"capacity": ["A whole number, 0 or more."]}) from None
    if not 0 <= number <= MAX_CAPACITY:
        raise Invalid(f"capacity must be between 0 and {MAX_CAPACITY}",
                      fields={"capacity": [f"Between 0 and {MAX_CAPACITY}."]})
    return number


def _role(value) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise Invalid(f"unknown role {value!r}", fields={"role": ["agent, supervisor or admin"]}) from None


def _keeps_an_admin(user: User) -> None:
    """Conflict if ``user`` is the last enabled administrator. The other administrators' rows are
    locked (PostgreSQL) so two administrators cannot demote each other at the same moment."""
    others = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.is_enabled.is_(True), User.id != user.id).with_for_update()
    ).all()
    if not others:
        raise Conflict("the desk needs at least one enabled administrator", code="last_admin",
                       fields={"role": ["This is the last enabled administrator."]})


def update_user(user: User, *, actor: User | None, **changes) -> bool:
    """Change any of name, role, is_enabled, queues (slugs), languages (codes), capacity, available.

    Only the fields given are touched; a field given with its current value is no change. Forbidden
    for a field ``actor`` may not change; Invalid for a bad value; Conflict for the last admin.
    True if anything changed. ``actor`` None is the command line (every field allowed).
    """
    unknown = set(changes) - SUPERVISOR_FIELDS - {"name", "role", "is_enabled"}
    if unknown:
        raise TypeError(f"update_user() got unexpected fields {sorted(unknown)}")
    changes = {key: value for key, value in changes.items() if value is not None}
    before = _snapshot(user)
    wanted = dict(before)
    if "name" in changes:
        name = " ".join(str(changes["name"]).split())
        if not name or len(name) > NAME_MAX:
            raise Invalid("a name is needed", fields={"name": [f"1 to {NAME_MAX} characters."]})
        wanted["name"] = name
    if "role" in changes:
        wanted["role"] = _role(changes["role"]).value
    if "is_enabled" in changes:
        wanted["is_enabled"] = bool(changes["is_enabled"])
    if "capacity" in changes:
        wanted["capacity"] = _capacity(changes["capacity"])
    if "available" in changes:
        wanted["available"] = bool(changes["available"])
    if "queues" in changes:
        wanted["queues"] = sorted(dict.fromkeys(changes["queues"]))
    if "languages" in changes:
        wanted["languages"] = sorted(dict.fromkeys(str(code).strip().lower() for code in changes["languages"] if str(code).strip()))

    changed = [key for key in wanted if _differs(key, before[key], wanted[key])]
    if actor is not None:
        may = allowed_fields(actor, user)
        refused = [key for key in changed if key not in may]
        if refused or not may:
            raise Forbidden("your role does not allow changing "
                            + (", ".join(refused) if refused else "this account"))
        if user.id == actor.id and (wanted["role"] != before["role"] or not wanted["is_enabled"]):
            raise Forbidden("you cannot disable your own account or change your own role")
    if not changed:
        return False
    stops_being_admin = before["role"] == Role.ADMIN.value and before["is_enabled"] and (
        wanted["role"] != Role.ADMIN.value or not wanted["is_enabled"])
    if stops_being_admin:
        _keeps_an_admin(user)

    if "queues" in changed:
        accounts.set_queues(user, wanted["queues"])
    if "languages" in changed:
        accounts.set_languages(user, wanted["languages"])
    user.name, user.role = wanted["name"], Role(wanted["role"])
    user.is_enabled, user.capacity, user.available = wanted["is_enabled"], wanted["capacity"], wanted["available"]
    db.session.flush()
    after = _snapshot(user)
    record("user.updated", actor=actor, subject=f"user:{user.id}",
           before={key: before[key] for key in changed}, after={key: after[key] for key in changed})
    return True


def _differs(key: str, old, new) -> bool:
    if key in ("queues", "languages"):
        return sorted(old) != sorted(new)
    return old != new


def add_user(email: str, *, name: str | None, role: str, password: str | None = None, queues=(), languages=(),
             capacity: int | None = None, actor: User | None) -> tuple[User, str | None]:
    """A new account (administrators only). Without a password one is made up and returned, to be
    shown once; with one, None is returned in its place."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("only administrators add users")
    generated = None if password else generate_password()
    user = accounts.create_user(email, name=(name or "").strip() or None, role=role, password=password or generated,
                                queues=list(queues), languages=list(languages), actor=actor)
    if capacity is not None:
        user.capacity = _capacity(capacity)
        db.session.flush()
    return user, generated


def reset_password(user: User, *, actor: User | None) -> str:
    """A new made-up password for ``user`` (administrators only), returned to be shown once.
    The failed-log-in count and any lock are cleared with it."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("only administrators reset passwords")
    password = generate_password()
    accounts.set_password(user, password, actor=actor)  # audited there, with the administrator as actor
    return password


def _require_supervisor(actor: User | None) -> None:
    if actor is not None and actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("only supervisors and administrators manage queues")


def set_auto_assign(queue: Queue, enabled: bool, *, actor: User | None) -> bool:
    """Switch automatic assignment of a queue's new tickets on or off. True if it changed."""
    _require_supervisor(actor)
    if queue.auto_assign == enabled:
        return False
    queue.auto_assign = enabled
    record("queue.updated", actor=actor, subject=f"queue:{queue.slug}",
           before={"auto_assign": not enabled}, after={"auto_assign": enabled})
    return True


def set_queue_agents(queue: Queue, user_ids, *, actor: User | None) -> bool:
    """Make exactly these agents (ids) the queue's agent members; supervisors and administrators
    who are members stay as they are. Invalid for an id that is not an agent. True if it changed."""
    _require_supervisor(actor)
    try:
        ids = {int(value) for value in user_ids}
    except (TypeError, ValueError):
        raise Invalid("not a user id", fields={"members": ["Choose agents from the list."]}) from None
    agents = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    if len(agents) != len(ids) or any(user.role != Role.AGENT for user in agents):
        raise Invalid("only agents are members of queues here", fields={"members": ["Choose agents from the list."]})
    before = sorted(user.email for user in queue.members if user.role == Role.AGENT)
    others = [user for user in queue.members if user.role != Role.AGENT]
    after = sorted(user.email for user in agents)
    if before == after:
        return False
    queue.members = others + agents
    db.session.flush()
    record("queue.members_changed", actor=actor, subject=f"queue:{queue.slug}",
           before={"agents": before}, after={"agents": after})
    return True


def set_restricted(queue: Queue, restricted: bool, *, actor: User | None) -> bool:
    """Make a queue restricted (only its named members see its tickets, supervisors and
    administrators included) or open again. Administrators only. True if it changed."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("only administrators restrict queues")
    if queue.is_restricted == restricted:
        return False
    queue.is_restricted = restricted
    db.session.flush()
    record("queue.updated", actor=actor, subject=f"queue:{queue.slug}",
           before={"is_restricted": not restricted}, after={"is_restricted": restricted})
    return True


def reset_totp(user: User, *, actor: User | None) -> bool:
    """Remove ``user``'s second factor (a lost phone), so they log in with the password alone and
    may enrol again. Administrators only. True if there was anything to remove."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("only administrators reset two-factor log-in")
    from inquiry.auth import totp

    return totp.reset(user, actor=actor)
