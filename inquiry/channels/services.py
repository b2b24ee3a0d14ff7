"""Channel accounts: creating, editing and switching them, and finding the one a message belongs to."""
from __future__ import annotations

import json
import re
import secrets
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.channels.models import ChannelAccount
from inquiry.errors import Conflict, Invalid
from inquiry.extensions import db


def create_account(platform: str, name: str, *, actor=None, options: dict | None = None, **fields) -> ChannelAccount:
    """A new enabled account on ``platform`` with an unguessable webhook key."""
    if platform not in taxonomy.CHANNELS:
        raise Invalid(f"unknown platform {platform!r}", fields={"platform": ["not a channel of the taxonomy"]})
    account = ChannelAccount(platform=platform, name=name, key=secrets.token_urlsafe(18), options=dict(options or {}), **fields)
    db.session.add(account)
    db.session.flush()
    record("channel.created", actor=actor, subject=f"channel:{account.id}", after={"platform": platform, "name": name})
    return account


def default_account(platform: str) -> ChannelAccount:
    """The account that inquiries from ``platform`` land on when no specific account is named.

    The first enabled account of that platform; the web form and API get one made on first use.
    """
    account = db.session.scalar(
        select(ChannelAccount).filter_by(platform=platform, is_enabled=True).order_by(ChannelAccount.id).limit(1)
    )
    if account is None:
        account = create_account(platform, f"{taxonomy.CHANNELS[platform]} (direct)")
    return account


def webhook_url(account: ChannelAccount) -> str:
    """Where the platform must send deliveries for this account."""
    from inquiry.channels.registry import BRIDGE, uses_bridge

    path = f"/hooks/{BRIDGE if uses_bridge(account) else account.platform}/{account.key}"
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + path


def describe(account: ChannelAccount) -> dict:
    """The account as shown to administrators: credentials reported as set or not, never shown."""
    return {
        "id": account.id,
        "platform": account.platform,
        "name": account.name,
        "external_account_id": account.external_account_id,
        "webhook_url": webhook_url(account),
        "api_base_url": account.api_base_url,
        "enabled": account.is_enabled,
        "has_secret": bool(account.signing_secret),
        "has_verify_token": bool(account.verify_token),
        "has_access_token": bool(account.access_token),
        "options": sorted(account.options or {}),
        "default_language": account.default_language,
        "last_delivery_at": account.last_delivery_at.isoformat() if account.last_delivery_at else None,
    }


# --- Administration: validated adding and editing, switching on and off, new webhook keys ------
# The admin pages call these (the CLI and API may too), so every rule below is written once.

CREDENTIALS: tuple[str, ...] = ("signing_secret", "verify_token", "access_token")
SETTINGS: tuple[str, ...] = ("name", "external_account_id", "api_base_url", "default_language")
LENGTHS = {"name": 120, "external_account_id": 200, "api_base_url": 500}
CREDENTIAL_MAX = 4000
OPTIONS_MAX = 50
OPTION_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")
OPTION_VALUE_MAX = 20_000
# In an options text, this value for a sensitive key means "keep the stored value": the edit
# form shows it instead of the value, so a secret kept in the options is never put in a page.
KEEP = "********"
_SENSITIVE_WORDS = ("secret", "token", "password", "passwd", "key", "credential", "private")
REDACTED = "[redacted]"


def is_sensitive_option(key: str) -> bool:
    """Options such as ``api_key`` or ``encoding_aes_key`` hold credentials: never shown or audited."""
    lowered = key.lower()
    return any(word in lowered for word in _SENSITIVE_WORDS)


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def options_text(options: dict | None) -> str:
    """Options as KEY=VALUE lines for editing, sensitive values replaced by ``KEEP``."""
    return "\n".join(
        f"{key}={KEEP if is_sensitive_option(key) else _as_text(value)}"
        for key, value in sorted((options or {}).items())
    )


def parse_options(text: str | None, *, current: dict | None = None) -> dict:
    """KEY=VALUE lines (blank lines ignored) → a dict; Invalid naming each bad line.

    A sensitive key whose value is ``KEEP`` keeps its value from ``current``. Messages name the
    line number and key, never the value, which may be a credential.
    """
    pairs = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if line:
            key, sep, value = line.partition("=")
            pairs.append((f"line {number}", key.strip() if sep else "", value.strip()))
    return _checked_options(pairs, current or {})


def _checked_options(pairs, current: dict) -> dict:
    """(where, key, value) triples → options; an empty key means the line had no KEY=."""
    options: dict = {}
    problems: list[str] = []
    for where, key, value in pairs:
        if not key:
            problems.append(f"{where} is not KEY=VALUE")
        elif not OPTION_KEY.fullmatch(key):
            problems.append(f"{where}: a key is 1–64 letters, digits, '_', '-' or '.'")
        elif key in options:
            problems.append(f"{where}: {key} is given twice")
        elif not value:
            problems.append(f"{where}: {key} has no value")
        elif value == KEEP and is_sensitive_option(key):
            if current.get(key) is None:
                problems.append(f"{where}: {key} has no stored value to keep; type the value")
            else:
                options[key] = current[key]
        elif len(value) > OPTION_VALUE_MAX:
            problems.append(f"{where}: the value of {key} is longer than {OPTION_VALUE_MAX:,} characters")
        elif key in current and _as_text(current[key]) == value:
            options[key] = current[key]  # untouched: keeps its stored type (a JSON document stays one)
        else:
            options[key] = value
    if len(options) > OPTIONS_MAX:
        problems.append(f"at most {OPTIONS_MAX} options")
    if problems:
        raise Invalid("the options could not be read", fields={"options": problems})
    return options


def _check_options(value, current: dict | None) -> dict:
    """Options given as KEY=VALUE lines (the form) or as a mapping (the API, the CLI)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return parse_options(value, current=current)
    if not isinstance(value, dict):
        raise Invalid("options must be KEY=VALUE pairs", fields={"options": ["not KEY=VALUE pairs"]})
    pairs = [(str(key) or "an empty key", str(key), _as_text(item).strip()) for key, item in value.items()]
    return _checked_options(pairs, current or {})


def _check_url(value: str) -> str | None:
    """None if ``value`` is an acceptable API base URL, else the problem."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        return "is not a valid address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address"
    if parts.username or parts.password:
        return "must not carry a user name or password (use the token fields)"
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    return None


def _validated(fields: dict, *, platform: str | None, account: ChannelAccount | None = None) -> dict:
    """Checked and normalised values for the given fields, or Invalid listing every problem."""
    unknown = set(fields) - set(SETTINGS) - set(CREDENTIALS) - {"options"}
    if unknown:
        raise TypeError(f"not an account field: {', '.join(sorted(unknown))}")
    clean: dict = {}
    problems: dict[str, list[str]] = {}
    if platform is not None and platform not in taxonomy.CHANNELS:
        problems["platform"] = ["not a channel of the taxonomy"]
    for name in SETTINGS:
        if name not in fields:
            continue
        value = fields[name]
        value = value.strip() if isinstance(value, str) else value
        value = value or None
        if value is not None and not isinstance(value, str):
            problems[name] = ["must be text"]
            continue
        if name == "name" and value is None:
            problems[name] = ["required"]
        elif value is not None and len(value) > LENGTHS.get(name, 10**9):
            problems[name] = [f"at most {LENGTHS[name]} characters"]
        elif name == "api_base_url" and value is not None and (problem := _check_url(value)):
            problems[name] = [problem]
        elif name == "default_language" and value is not None:
            value = value.lower()
            if value not in taxonomy.LANGUAGES:
                problems[name] = ["not an ISO 639-1 language code (e.g. en, fr, zh)"]
        clean[name] = value
    for name in CREDENTIALS:
        if name not in fields:
            continue
        value = fields[name]
        value = value.strip() if isinstance(value, str) else value
        if value is not None and not isinstance(value, str):
            problems[name] = ["must be text"]
        elif value and len(value) > CREDENTIAL_MAX:
            problems[name] = [f"at most {CREDENTIAL_MAX:,} characters"]
        clean[name] = value or None
    if "options" in fields:
        try:
            clean["options"] = _check_options(fields["options"], account.options if account else None)
        except Invalid as exc:
            problems.update(exc.fields)
    if problems:
        raise Invalid("the account could not be saved: " + ", ".join(sorted(problems)), fields=problems)
    if clean.get("external_account_id"):
        taken = select(ChannelAccount.id).filter_by(
            platform=platform or account.platform, external_account_id=clean["external_account_id"])
        if account is not None:
            taken = taken.where(ChannelAccount.id != account.id)
        if db.session.scalar(taken.limit(1)) is not None:
            raise Conflict("another account on this platform has that external account id",
                           fields={"external_account_id": ["already used by another account on this platform"]})
    return clean


def add_account(platform: str, name: str, *, actor, options=None, **fields) -> ChannelAccount:
    """A new account after checking every field (``options``: a dict or KEY=VALUE lines).

    Invalid (422) or Conflict (409) before anything is added; the audit names no credential.
    """
    clean = _validated({"name": name, "options": options, **fields}, platform=platform)
    return create_account(platform, clean.pop("name"), actor=actor, options=clean.pop("options"), **clean)


def _credential_change(old: str | None, new: str | None) -> str:
    return "cleared" if new is None else ("set" if old is None else "replaced")


def update_account(account: ChannelAccount, *, actor, **fields) -> list[str]:
    """Change the given fields (a credential given as None or "" is removed); returns the names
    of the fields that changed, and audits them once. Credentials and sensitive options appear
    in the audit by name only."""
    clean = _validated(fields, platform=None, account=account)
    empty = {"options": {}}
    changed = sorted(name for name, value in clean.items() if (getattr(account, name) or empty.get(name)) != value)
    if not changed:
        return []
    before: dict = {}
    after: dict = {}
    for name in changed:
        old, new = getattr(account, name), clean[name]
        if name in SETTINGS:
            before[name], after[name] = old, new
        elif name in CREDENTIALS:
            after.setdefault("credentials", {})[name] = _credential_change(old, new)
        else:  # options: which keys were added, changed or removed; values stay out of the audit
            old = old or {}
            after["options_changed"] = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        setattr(account, name, new)
    db.session.flush()
    record("channel.updated", actor=actor, subject=f"channel:{account.id}", before=before or None, after=after)
    return changed


def set_enabled(account: ChannelAccount, enabled: bool, *, actor) -> bool:
    """Switch the account on or off (off: its webhook URL answers 404). True if it changed."""
    enabled = bool(enabled)
    if account.is_enabled == enabled:
        return False
    account.is_enabled = enabled
    db.session.flush()
    record("channel.enabled" if enabled else "channel.disabled", actor=actor, subject=f"channel:{account.id}",
           before={"enabled": not enabled}, after={"enabled": enabled})
    return True


def rotate_key(account: ChannelAccount, *, actor) -> str:
    """Give the account a new webhook key: the old URL stops working at once. Returns the new URL."""
    old = account.key
    while account.key == old:
        account.key = secrets.token_urlsafe(18)
    db.session.flush()
    # The key is part of a URL, not a credential, but it still stays out of the audit trail.
    record("channel.key_rotated", actor=actor, subject=f"channel:{account.id}", after={"webhook_key": "replaced"})
    return webhook_url(account)


def redact(account: ChannelAccount, text: str | None) -> str | None:
    """``text`` (an error from a platform, say) with this account's credentials blanked out: an
    HTTP library's message can quote a URL with a token in it."""
    if not text:
        return text
    values = [getattr(account, name) for name in CREDENTIALS]
    values += [v for k, v in (account.options or {}).items() if is_sensitive_option(k)]
    for value in sorted({v for v in values if isinstance(v, str) and len(v) >= 4}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text
