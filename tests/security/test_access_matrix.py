"""Who may use which route: every rule of the URL map, as each role, against the table below.

The table is the access policy written down. A route without an entry fails the test, so adding
a route means deciding who may use it. Targets are real rows (``world`` in conftest.py): ticket
routes aim at ticket A (queue general-public), which agent A works and agent B does not.

GET is requested for every role. A route that changes state (POST, PATCH) is requested only for
the roles that must be refused, with a plausible body, and the whole database must be unchanged
afterwards. ``DOES`` marks a role allowed to act: the feature's own tests cover what it does.
"""
from __future__ import annotations

import pytest

from tests.security.conftest import QUEUE_A, ROLES, fingerprint

LOGIN = "login"  # 302 to the log-in page
DOES = "does"  # allowed to change things; not requested here


def to(path: str) -> str:
    """A redirect (302/303) to a location starting with ``path``."""
    return "->" + path


def same(expected) -> tuple:
    return (expected,) * len(ROLES)


# endpoint → {method: (anonymous, agent A, agent B, supervisor, admin)}
WEB_STAFF = (LOGIN, 200, 200, 200, 200)  # any logged-in member of staff
SUPERVISORS = (LOGIN, 403, 403, 200, 200)
ADMINS = (LOGIN, 403, 403, 403, 200)
TICKET_A = (LOGIN, 200, 404, 200, 200)  # a page of ticket A
ACT_ON_A = (LOGIN, DOES, 404, DOES, DOES)  # a change to ticket A
SUPERVISORS_ACT = (LOGIN, 403, 403, DOES, DOES)
ADMINS_ACT = (LOGIN, 403, 403, 403, DOES)
API_ANY = (401, 200, 200, 200, 200)
API_ACT_ON_A = (401, DOES, 404, DOES, DOES)
EVERYONE = same(200)
PUBLIC_ACT = same(DOES)

EXPECT: dict[str, dict[str, tuple]] = {
    # Pages anyone may open.
    "pages.index": {"GET": (to("/contact"), to("/tickets/"), to("/tickets/"), to("/tickets/"), to("/tickets/"))},
    "pages.health": {"GET": EVERYONE},
    "public.contact": {"GET": EVERYONE, "POST": PUBLIC_ACT},
    "public.received": {"GET": same(to("/contact/status"))},  # nothing to show without a fresh submission
    "public.status": {"GET": EVERYONE, "POST": PUBLIC_ACT},
    "public.follow_up": {"POST": PUBLIC_ACT},
    "auth.login": {"GET": (200, to("/tickets/"), to("/tickets/"), to("/tickets/"), to("/tickets/")),
                   "POST": PUBLIC_ACT},
    "auth.login_code": {"GET": (to("/login"), to("/tickets/"), to("/tickets/"), to("/tickets/"), to("/tickets/")),
                        "POST": (to("/login"), DOES, DOES, DOES, DOES)},
    "auth.logout": {"POST": (to("/login"), DOES, DOES, DOES, DOES)},
    # Two-factor set-up: staff who may enrol (supervisors and admins).
    "auth.security": {"GET": SUPERVISORS},
    "auth.security_start": {"POST": SUPERVISORS_ACT},
    "auth.security_confirm": {"POST": SUPERVISORS_ACT},
    # Platforms: authenticated by signature, not by session; an unsigned delivery is refused for all.
    "hooks.receive_webhook": {"GET": same(405), "POST": same(401)},
    # Tickets: agents see their queues' tickets only; another queue's ticket does not exist for them.
    "tickets.index": {"GET": WEB_STAFF},
    "tickets.refresh": {"GET": WEB_STAFF},
    "tickets.next_ticket": {"GET": (LOGIN, to("/tickets/INQ-"), to("/tickets/INQ-"), to("/tickets/INQ-"),
                                    to("/tickets/INQ-"))},
    "tickets.detail": {"GET": TICKET_A},
    "tickets.reply": {"POST": ACT_ON_A},
    "tickets.note": {"POST": ACT_ON_A},
    "tickets.claim": {"POST": ACT_ON_A},
    "tickets.change_status": {"POST": ACT_ON_A},
    "tickets.assign": {"POST": (LOGIN, 403, 404, DOES, DOES)},  # only supervisors assign to someone else
    "tickets.labels": {"POST": ACT_ON_A},
    "tickets.escalate": {"POST": ACT_ON_A},
    "tickets.de_escalate": {"POST": (LOGIN, 403, 404, DOES, DOES)},
    "tickets.merge_into": {"POST": ACT_ON_A},
    "tickets.change_tags": {"POST": ACT_ON_A},
    "tickets.heartbeat": {"POST": ACT_ON_A},
    "tickets.leave": {"POST": (LOGIN, DOES, 204, DOES, DOES)},  # 204 whatever: reveals nothing
    "tickets.bulk_action": {"POST": (LOGIN, DOES, to("/tickets/"), DOES, DOES)},  # refused per ticket, flashed
    "canned.offer": {"GET": (401, 200, 404, 200, 200)},  # JSON for the reply box
    "search.index": {"GET": WEB_STAFF},
    "notifications.index": {"GET": WEB_STAFF},
    "notifications.read_all": {"POST": (LOGIN, DOES, DOES, DOES, DOES)},  # one's own only
    # Supervisors' pages.
    "reports.index": {"GET": (LOGIN, 403, 403, to("/reports/router"), to("/reports/router"))},
    "reports.router": {"GET": SUPERVISORS},
    "reports.dashboard_page": {"GET": SUPERVISORS},
    "reports.surges_page": {"GET": SUPERVISORS},
    "reports.tag_surge": {"POST": SUPERVISORS_ACT},
    "metrics": {"GET": (401, 403, 403, 200, 200)},
    "canned.index": {"GET": SUPERVISORS},
    "canned.new": {"GET": SUPERVISORS, "POST": SUPERVISORS_ACT},
    "canned.edit": {"GET": SUPERVISORS, "POST": SUPERVISORS_ACT},
    "canned.enable": {"POST": SUPERVISORS_ACT},
    "canned.disable": {"POST": SUPERVISORS_ACT},
    "costs.index": {"GET": SUPERVISORS},
    "costs.save_settings": {"POST": ADMINS_ACT},  # supervisors read the figures; admins set them
    "costs.save_rate": {"POST": ADMINS_ACT},
    "costs.save_fee": {"POST": ADMINS_ACT},
    "costs.save_fixed": {"POST": ADMINS_ACT},
    "costs.remove": {"POST": ADMINS_ACT},
    "planning.index": {"GET": SUPERVISORS},
    "admin.users": {"GET": SUPERVISORS},
    "admin.new_user": {"GET": ADMINS, "POST": ADMINS_ACT},
    "admin.edit_user": {"GET": SUPERVISORS, "POST": SUPERVISORS_ACT},  # supervisors: agents' queues and hours
    "admin.reset_password": {"POST": SUPERVISORS_ACT},
    "admin.queues": {"GET": SUPERVISORS},
    "admin.queue_members": {"GET": SUPERVISORS, "POST": SUPERVISORS_ACT},
    "admin.queue_auto_assign": {"POST": SUPERVISORS_ACT},
    # Administrators only.
    "admin.index": {"GET": (LOGIN, 403, 403, 403, to("/admin/channels"))},
    "admin.channels": {"GET": ADMINS},
    "admin.account": {"GET": ADMINS},
    "admin.new_channel": {"GET": ADMINS, "POST": ADMINS_ACT},
    "admin.update": {"POST": ADMINS_ACT},
    "admin.enable": {"POST": ADMINS_ACT},
    "admin.disable": {"POST": ADMINS_ACT},
    "admin.rotate_key": {"POST": ADMINS_ACT},
    "admin.queue_restricted": {"POST": ADMINS_ACT},
    "admin.reset_totp": {"POST": ADMINS_ACT},
    # The JSON API: bearer tokens only (401 without), the same per-queue rule as the pages.
    "api.openapi_document": {"GET": EVERYONE},
    "api.list_queues": {"GET": API_ANY},
    "api.list_tickets": {"GET": API_ANY},
    "api.search": {"GET": API_ANY},
    "api.get_ticket": {"GET": (401, 200, 404, 200, 200)},
    "api.update_ticket": {"PATCH": API_ACT_ON_A},
    "api.claim_ticket": {"POST": API_ACT_ON_A},
    "api.reply": {"POST": API_ACT_ON_A},
    "api.add_note": {"POST": API_ACT_ON_A},
    "api.create_inquiry": {"POST": (401, DOES, DOES, DOES, DOES)},
    "api.router_quality_report": {"GET": (401, 403, 403, 200, 200)},
}

# Query strings a GET needs to be meaningful.
QUERY = {"api.search": "?q=Inquiry", "search.index": "?q=webinar"}


def _values(world) -> dict[str, object]:
    """What each URL variable is replaced with: ticket A and the rows around it."""
    return {
        "reference": world.ticket_a.reference, "ticket_id": world.ticket_a.id, "account_id": world.account.id,
        "user_id": world.users["agent_a"].id, "reply_id": world.canned.id, "slug": QUEUE_A,
        "platform": "telegram", "key": world.account.key, "what": "fixed", "row_id": world.fixed_cost.id,
    }


def _bodies(world) -> dict[str, dict]:
    """Plausible submissions, so a refusal is the guard's doing and not a validation error."""
    agent_b = str(world.users["agent_b"].id)
    supervisor = str(world.users["supervisor"].id)  # may work any ticket: only the actor's role can refuse
    return {
        "tickets.reply": {"reply": "Injected reply"},
        "tickets.note": {"note": "Injected note"},
        "tickets.change_status": {"status": "solved"},
        "tickets.assign": {"assignee": supervisor},
        "tickets.labels": {"topic": "crime-enablers", "audience": "travellers", "priority": "urgent"},
        "tickets.escalate": {"reason": "Look at this"},
        "tickets.merge_into": {"target": world.ticket_b.reference},
        "tickets.change_tags": {"add": "intruded"},
        "tickets.heartbeat": {"typing": "1"},
        "tickets.bulk_action": {"bulk-ids": [str(world.ticket_a.id)], "bulk-action": "solve"},
        "reports.tag_surge": {"surge": "1"},
        "canned.new": {"title": "Intruder", "shortcut": "intruder", "variants-0-language": "en",
                       "variants-0-body": "Injected"},
        "canned.edit": {"title": "Changed", "shortcut": "hours", "variants-0-language": "en",
                        "variants-0-body": "Changed"},
        "costs.save_settings": {"annual_budget": "1", "fiscal_year_start_month": "1", "frontline_share": "0.5",
                                "hourly_rate": "1", "currency": "EUR"},
        "costs.save_rate": {"kind": "language", "key": "en", "hourly_rate": "1"},
        "costs.save_fee": {"platform": "telegram", "fee": "1"},
        "costs.save_fixed": {"name": "Intruder", "monthly_amount": "1"},
        "admin.new_user": {"email": "intruder@example.org", "name": "Intruder", "role": "admin",
                           "password": "a long enough password 1"},
        "admin.edit_user": {"name": "Hijacked", "role": "admin", "is_enabled": "yes", "languages": "en"},
        "admin.reset_password": {"confirm": "y"},
        "admin.queue_members": {"members": [agent_b]},
        "admin.queue_auto_assign": {"auto_assign": "on"},
        "admin.queue_restricted": {"is_restricted": "on"},
        "admin.new_channel": {"platform": "telegram", "name": "Intruder bot", "signing_secret": "x" * 20,
                              "external_account_id": "intruder", "default_language": "en"},
        "admin.update": {"name": "Renamed by intruder"},
        "admin.rotate_key": {"confirm": "y"},
        "auth.security_start": {},
        "auth.security_confirm": {"code": "123456"},
        "auth.login_code": {"code": "123456"},
        "api.update_ticket": {"status": "solved"},
        "api.reply": {"body": "Injected reply"},
        "api.add_note": {"body": "Injected note"},
        "api.create_inquiry": {"text": "Injected inquiry"},
    }


def _url(rule, values) -> str:
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def _methods(rule) -> set[str]:
    return set(rule.methods) - {"HEAD", "OPTIONS"}


def _may_view_ticket_a(role: str) -> bool:
    return EXPECT["tickets.detail"]["GET"][ROLES.index(role)] == 200


def _problem(response, expected) -> str | None:
    """What is wrong with ``response`` (None: it is what the table expects)."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        ok = status == 302 and location.startswith("/login")
    elif isinstance(expected, str) and expected.startswith("->"):
        ok = status in (302, 303) and location.startswith(expected[2:])
    else:
        ok = status == expected
    return None if ok else f"got {status} {location}, expected {expected}"


def test_every_route_has_a_deliberate_access_rule(app):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            routes.setdefault(rule.endpoint, set()).update(_methods(rule))
    missing = sorted(set(routes) - set(EXPECT))
    assert not missing, f"routes nobody decided access for (add them to EXPECT): {missing}"
    stale = sorted(set(EXPECT) - set(routes))
    assert not stale, f"EXPECT lists routes that no longer exist: {stale}"
    for endpoint, methods in routes.items():
        table = sorted(EXPECT[endpoint])
        assert set(table) == methods, f"{endpoint}: the route takes {sorted(methods)}, the table has {table}"
        for method, row in EXPECT[endpoint].items():
            assert len(row) == len(ROLES), endpoint
            assert method != "GET" or DOES not in row, f"{endpoint}: every GET is requested"


def test_each_role_gets_what_the_table_says_and_refusals_change_nothing(app, db, world, clients):
    values, bodies = _values(world), _bodies(world)
    rules = sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint in EXPECT), key=lambda r: r.endpoint)
    problems = []
    before = None  # the database as the last refusal left it (None: taken afresh before the next one)
    for rule in rules:
        url = _url(rule, values)
        for method, row in EXPECT[rule.endpoint].items():
            for role, expected in zip(ROLES, row):
                if expected == DOES:
                    continue
                allowed_read = method == "GET" and expected == 200  # may note presence and the like
                if not allowed_read and before is None:
                    before = fingerprint(db)
                headers = {}
                if url.startswith("/api/") and role != "anonymous":
                    headers["Authorization"] = f"Bearer {world.tokens[role]}"
                kwargs = {"headers": headers}
                if method != "GET":
                    kwargs["json" if url.startswith("/api/") else "data"] = bodies.get(rule.endpoint, {})
                response = clients[role].open(url + QUERY.get(rule.endpoint, ""), method=method, **kwargs)
                label = f"{method} {url} as {role}"
                problem = _problem(response, expected)
                if problem:
                    problems.append(f"{label}: {problem}")
                if allowed_read:
                    before = None
                else:
                    after = fingerprint(db)
                    changed = sorted(name for name in after if after[name] != before[name])
                    if changed == ["ticket_presence"] and _may_view_ticket_a(role):
                        changed = []  # a refused action re-renders the ticket page, and its viewer is shown
                    if changed:
                        problems.append(f"{label}: refused, but it changed {changed}")
                    before = after
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/tickets/{b.reference}", "/canned/offer/{b.reference}"])
def test_agent_a_cannot_see_queue_b_either(world, clients, path):
    """The other direction of the matrix: queue B's ticket is hidden from agent A."""
    assert clients["agent_a"].get(path.format(b=world.ticket_b)).status_code == 404
    assert clients["agent_b"].get(path.format(b=world.ticket_b)).status_code == 200


def test_agent_a_cannot_reach_queue_b_through_the_api(world, clients):
    headers = {"Authorization": f"Bearer {world.tokens['agent_a']}"}
    assert clients["agent_a"].get(f"/api/v1/tickets/{world.ticket_b.id}", headers=headers).status_code == 404
    listed = clients["agent_a"].get("/api/v1/tickets", headers=headers).get_json()
    assert world.ticket_b.reference not in str(listed) and world.ticket_a.reference in str(listed)


def test_the_api_ignores_the_staff_session(world, clients):
    """A logged-in browser carries a session cookie but no token: the API must not take the
    cookie (it has no CSRF check), so another site cannot make a staff member's browser call it."""
    response = clients["admin"].get(f"/api/v1/tickets/{world.ticket_a.id}")
    assert response.status_code == 401 and response.is_json
