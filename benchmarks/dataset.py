"""A desk at scale for the benchmarks: N tickets with their conversations in a PostgreSQL schema.

    .venv/bin/python benchmarks/dataset.py [--tickets N | --quick] [--schema S] [--rebuild] [--drop]

The schema (``bench_workspace_1m`` for a million tickets, ``bench_workspace_50k`` for ``--quick``)
is created and migrated with Inquiry's own Alembic migrations, then filled in bulk with
``INSERT … SELECT`` over ``generate_series`` (a million tickets in minutes, not hours). Staff and
channel accounts go through the app's services; everything per ticket is SQL. A finished build
leaves a note on the schema (``COMMENT ON SCHEMA``) so the next run reuses it when it holds the
size asked for, was built by this version of the builder and is at the code's migration head.

Importable (``ensure(tickets=…)`` returns a ``Dataset``) so other benchmarks, such as the
supervisor dashboard's, share the same data; nothing in Inquiry imports this.

What the desk looks like (anchored at build time: a reused schema ages with the clock):
- 43 staff: 40 agents over the 12 queues (each works 2–3, the big queues have most people),
  2 supervisors, 1 admin; all with the password ``PASSWORD``.
- 8 channel accounts; about 0.75 contacts per ticket (a quarter of tickets are repeat senders).
- Tickets spread over two years, ids in arrival order; ~3% still open (new/open/pending/on hold),
  most of them from the last month, few urgent ones past their first day; priorities urgent 2%, high 10%, normal 70%, low 18%; texts,
  subjects, languages (16, English ~60%), topics and audiences from the demo corpus; 5% in triage.
- SLA fields of open tickets computed by ``inquiry.sla.deadlines.refresh`` (the app's policies and
  calendars: first/next/resolution due, ``due_at`` the earliest running one, NULL while pending);
  closed tickets have none, and no met/missed flags.
- 5% of closed tickets have no assignee (spam, merged, closed by nobody in particular).
- 2–4 messages per ticket (inbound, agent reply, follow-up, internal note); 7% of tickets tagged;
  2% of open assigned tickets escalated; an audit trail of ``ticket.created``, ``ticket.assigned``
  and ``ticket.status`` events; a search document per message, subject and contact (migration 0006),
  folded by ``inquiry.search.text`` exactly as the app folds them.
- No outbox rows, deliveries, presence rows or API tokens.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_TICKETS = 1_000_000
QUICK_TICKETS = 50_000
VERSION = 3  # bump when what is generated changes: older schemas are rebuilt, not reused
PASSWORD = "benchmark-only-password"
DOMAIN = "bench.example.org"
SECRET_KEY = "benchmark-dataset"
SPAN_DAYS = 730
ACCOUNTS = ("web-form", "whatsapp", "facebook", "linkedin", "x", "instagram", "telegram", "youtube")
TAGS = ("scam-wave-nov", "press", "vip", "follow-up", "legal", "duplicate-suspect", "webinar-2025", "translation")
# Agents whose first queue is this one (40 in all); each also works one or two others.
HOME_QUEUES = {"general-public": 12, "triage": 3, "travellers": 3, "government": 3, "corporate": 3,
               "education": 2, "transport": 2, "political-leaders": 2, "private-security": 2,
               "intergovernmental": 2, "international-orgs": 3, "vehicle-rental": 3}
LANGS = ("en", "fr", "es", "ar", "zh", "ru", "pt", "de", "hi", "ja", "ko", "tr", "id", "it", "uk", "th")


@dataclass
class Dataset:
    """A built schema: where it is, what it holds and who can log in."""

    schema: str
    url: str  # SQLAlchemy URL whose connections use the schema (search_path)
    tickets: int
    built_at: dt.datetime
    build_seconds: float
    reused: bool
    counts: dict = field(default_factory=dict)
    agent_email: str = f"agent01@{DOMAIN}"  # works general-public (the biggest queue), triage and one more
    supervisor_email: str = f"supervisor01@{DOMAIN}"
    password: str = PASSWORD

    def app_config(self, **extra) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": SECRET_KEY, **extra}


def default_schema(tickets: int) -> str:
    label = f"{tickets // 1_000_000}m" if tickets % 1_000_000 == 0 else (
        f"{tickets // 1000}k" if tickets % 1000 == 0 else str(tickets))
    return f"bench_workspace_{label}"


def schema_url(url: str, schema: str) -> str:
    return sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def code_head() -> str:
    from alembic.script import ScriptDirectory

    from inquiry import MIGRATIONS_DIR

    return ScriptDirectory(MIGRATIONS_DIR).get_current_head()


def _note(admin, schema: str) -> dict | None:
    with admin.connect() as conn:
        text = conn.execute(sa.text("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :s"),
                            {"s": schema}).scalar()
    with contextlib.suppress(TypeError, ValueError):
        return json.loads(text)
    return None


def ensure(tickets: int = DEFAULT_TICKETS, *, url: str = PG_URL, schema: str | None = None, rebuild: bool = False,
           log=print) -> Dataset:
    """The data set with ``tickets`` tickets: the existing schema if it matches, else built anew."""
    schema = schema or default_schema(tickets)
    admin = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        note, head = _note(admin, schema), code_head()
        same = note and not rebuild and note.get("version") == VERSION and note.get("tickets") == tickets
        if same and note.get("head") != head:
            # New migrations since the build: apply them, as a deployment would, rather than rebuild.
            log(f"schema {schema} is at migration {note.get('head')}: upgrading it to {head}")
            _upgrade(schema_url(url, schema), log, schema)
            note["head"] = head
            _write_note(admin, schema, note)
        if same:
            log(f"reusing schema {schema} ({tickets:,} tickets, built {note['built_at']})")
            return Dataset(schema, schema_url(url, schema), tickets, dt.datetime.fromisoformat(note["built_at"]),
                           note["seconds"], True, note["counts"])
        if note and not rebuild:
            log(f"schema {schema} holds {note.get('tickets')} tickets, builder v{note.get('version')}, "
                f"migration {note.get('head')}: rebuilding for {tickets:,} tickets, v{VERSION}, {head}")
        return _build(admin, url, schema, tickets, head, log)
    finally:
        admin.dispose()


def _write_note(admin, schema: str, note: dict) -> None:
    with admin.begin() as conn:
        conn.exec_driver_sql(f"COMMENT ON SCHEMA \"{schema}\" IS '{json.dumps(note).replace(chr(39), chr(39) * 2)}'")


def _upgrade(surl: str, log, schema: str) -> None:
    from flask_migrate import upgrade

    from inquiry import create_app
    from inquiry.extensions import db

    started = time.monotonic()
    app = create_app({"SQLALCHEMY_DATABASE_URI": surl, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):
            upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        db.engine.dispose()
    engine = sa.create_engine(surl)
    Steps(engine, log, schema).vacuum()
    engine.dispose()
    log(f"[{schema}] upgraded in {time.monotonic() - started:.1f} s")


def drop(url: str, schema: str) -> None:
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


# --- the build ---------------------------------------------------------------------------------

def _build(admin, url: str, schema: str, tickets: int, head: str, log) -> Dataset:
    started = time.monotonic()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    surl = schema_url(url, schema)
    log(f"[{schema}] migrating")
    staff = _migrate_and_staff(surl)
    engine = sa.create_engine(surl)
    steps = Steps(engine, log, schema)
    try:
        with engine.begin() as conn:
            _setup_session(conn)
            _templates(conn, staff)
        steps.run("draw", _DRAW, n=tickets, now=now, span=SPAN_DAYS * 86400)
        steps.run("senders", _SENDERS)
        steps.run("plan", _plan_sql(), now=now)
        with steps.without_indexes("tickets", "messages", "contacts", "ticket_tags", "search_documents",
                                   "audit_events"):
            steps.run("contacts", _CONTACTS)
            steps.run("tickets", _TICKETS, now=now)
            _deadlines(surl, now, steps)
            steps.run("messages", f"INSERT INTO messages ({_MESSAGE_COLUMNS}) SELECT {_MESSAGE_COLUMNS} FROM ({_MESSAGE_ROWS}) m")
            steps.run("tags", _TAGS_SQL, tags=list(TAGS))
            steps.run("search documents", _search_sql(tickets))
            steps.run("audit events", _AUDIT)
        steps.run("sequences", _SEQUENCES)
        steps.run("cleanup", "DROP TABLE _bench_draw, _bench_senders, _bench_plan, _bench_templates, _bench_members, _bench_targets")
        steps.vacuum()
        counts = _check(engine, log)
    finally:
        engine.dispose()
    seconds = round(time.monotonic() - started, 1)
    note = {"version": VERSION, "tickets": tickets, "head": head, "built_at": now.isoformat(), "seconds": seconds,
            "counts": counts}
    _write_note(admin, schema, note)
    log(f"[{schema}] built in {seconds:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if isinstance(v, int)))
    return Dataset(schema, surl, tickets, now, seconds, False, counts)


def _migrate_and_staff(surl: str) -> dict:
    """Alembic to head, then staff and channel accounts through the app's own services."""
    from flask_migrate import upgrade

    from inquiry import create_app
    from inquiry.auth import services as auth
    from inquiry.channels.services import create_account
    from inquiry.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": surl, "SECRET_KEY": SECRET_KEY,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})  # 43 users; scrypt would cost 15 s
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):
            upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        slugs = list(HOME_QUEUES)
        auth.create_user(f"admin@{DOMAIN}", name="Bench Admin", role="admin", password=PASSWORD, languages=["en"])
        for i in (1, 2):
            auth.create_user(f"supervisor{i:02d}@{DOMAIN}", name=f"Supervisor {i:02d}", role="supervisor",
                             password=PASSWORD, languages=["en", LANGS[i]])
        n = 0
        for home, count in HOME_QUEUES.items():
            for _ in range(count):
                n += 1
                others = [slugs[(slugs.index(home) + 1 + n % 5) % len(slugs)]]
                if n % 2:
                    others.append(slugs[(slugs.index(home) + 6 + n % 4) % len(slugs)])
                if n == 1:
                    others = ["triage", "travellers"]
                queues = list(dict.fromkeys([home, *others]))
                auth.create_user(f"agent{n:02d}@{DOMAIN}", name=f"Agent {n:02d}", password=PASSWORD, queues=queues,
                                 languages=["en", LANGS[1 + n % (len(LANGS) - 1)]])
        accounts = {platform: create_account(platform, f"{platform} (benchmark)").id for platform in ACCOUNTS}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"accounts": accounts}


def _deadlines(surl: str, now: dt.datetime, steps: "Steps") -> None:
    """The open tickets' SLA fields as the app computes them (its policies, calendars, pauses).

    The SQL gave them round-the-clock deadlines from the default targets; ``deadlines.refresh``
    then recomputes each from its clocks, so the data follows whatever the SLA code does. Done
    or not, closed tickets keep no deadline (and no met/missed flags: the builder does not know them).
    """
    from sqlalchemy import select

    from inquiry import create_app
    from inquiry.extensions import db
    from inquiry.sla import deadlines
    from inquiry.tickets.models import OPEN_STATUSES, Ticket, TicketStatus

    if not hasattr(deadlines, "refresh"):
        steps.log(f"[{steps.schema}] SLA: no deadlines.refresh in this version: round-the-clock deadlines kept")
        return
    started, last, done = time.monotonic(), 0, 0
    app = create_app({"SQLALCHEMY_DATABASE_URI": surl, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        while True:
            batch = db.session.scalars(select(Ticket).where(Ticket.status.in_(list(OPEN_STATUSES)), Ticket.id > last)
                                       .order_by(Ticket.id).limit(2000)).all()
            if not batch:
                break
            for ticket in batch:
                if hasattr(ticket, "sla_started_at"):
                    ticket.sla_started_at = ticket.created_at
                if ticket.status == TicketStatus.PENDING and hasattr(ticket, "sla_paused_at"):
                    ticket.sla_paused_at = ticket.updated_at  # waiting on the sender since the last answer
                deadlines.refresh(ticket, now)
            db.session.commit()
            last, done = batch[-1].id, done + len(batch)
        db.session.remove()
        db.engine.dispose()
    steps.log(f"[{steps.schema}] SLA deadlines of {done:,} open tickets by inquiry.sla: {time.monotonic() - started:.1f} s")


def _setup_session(conn) -> None:
    conn.execute(sa.text("SET work_mem = '256MB'"))
    conn.execute(sa.text("SET maintenance_work_mem = '512MB'"))
    conn.execute(sa.text("SET synchronous_commit = off"))
    conn.execute(sa.text("SET max_parallel_workers_per_gather = 0"))  # with setseed: the same data every build
    conn.execute(sa.text("SET jit = off"))  # the row estimates of generate_series make JIT cost seconds, not save them


def _templates(conn, staff: dict) -> None:
    """The demo corpus as SQL rows, each text beside its search form (folded by the app's code)."""
    from inquiry.demo.people import ACKNOWLEDGEMENTS, NOTES
    from inquiry.demo.seed import load_conversations
    from inquiry.ingest.services import _subject_from
    from inquiry.search.text import index_text

    convos = load_conversations()
    followups = {}
    for c in convos:
        if c["followups"]:
            followups.setdefault(c["lang"], c["followups"][0])
    accounts = staff["accounts"]
    social = [a for p, a in accounts.items() if p != "web-form"]
    rows = []
    for i, c in enumerate(convos):
        subject = (c.get("subject") or _subject_from(c["text"]))[:200]
        followup = c["followups"][0] if c["followups"] else followups.get(c["lang"], followups["en"])
        ack, note = ACKNOWLEDGEMENTS.get(c["lang"], ACKNOWLEDGEMENTS["en"]), NOTES[i % len(NOTES)]
        rows.append({
            "i": i, "lang": c["lang"], "topic": c["topic"], "audience": c["audience"],
            "account_id": accounts.get(c["channel"], social[i % len(social)]),
            "name": c["contact"]["name"][:200], "name_idx": index_text(c["contact"]["name"]),
            "subject": subject, "subject_idx": index_text(subject), "body": c["text"], "body_idx": index_text(c["text"]),
            "followup": followup, "followup_idx": index_text(followup), "ack": ack, "ack_idx": index_text(ack),
            "note": note, "note_idx": index_text(note),
        })
    cols = list(rows[0])
    conn.execute(sa.text("CREATE UNLOGGED TABLE _bench_templates (i int PRIMARY KEY, lang text, topic text, audience text, "
                         "account_id int, name text, name_idx text, subject text, subject_idx text, body text, "
                         "body_idx text, followup text, followup_idx text, ack text, ack_idx text, note text, note_idx text)"))
    conn.execute(sa.text(f"INSERT INTO _bench_templates ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"), rows)
    conn.execute(sa.text("ALTER TABLE _bench_templates ADD COLUMN queue_id int, ADD COLUMN platform text"))
    conn.execute(sa.text("UPDATE _bench_templates t SET queue_id = q.id FROM queues q WHERE q.slug = t.audience"))
    conn.execute(sa.text("UPDATE _bench_templates t SET platform = a.platform FROM channel_accounts a WHERE a.id = t.account_id"))
    conn.execute(sa.text("CREATE UNLOGGED TABLE _bench_members AS SELECT queue_id, (row_number() OVER "
                         "(PARTITION BY queue_id ORDER BY user_id) - 1)::int AS k, user_id, "
                         "count(*) OVER (PARTITION BY queue_id)::int AS n FROM queue_members"))
    # Provisional round-the-clock targets (the organisation's defaults); ``_deadlines`` replaces the
    # open tickets' deadlines with what inquiry.sla computes.
    conn.execute(sa.text("CREATE UNLOGGED TABLE _bench_targets (priority text PRIMARY KEY, fr interval, nr interval, res interval)"))
    conn.execute(sa.text("INSERT INTO _bench_targets VALUES ('urgent', '15 min', '15 min', '4 h'), ('high', '1 h', '1 h', '24 h'), "
                         "('normal', '4 h', '4 h', '72 h'), ('low', '24 h', '24 h', '168 h')"))


class Steps:
    """Runs the build's SQL one step a transaction, with the session settings and a timing line."""

    def __init__(self, engine, log, schema):
        self.engine, self.log, self.schema = engine, log, schema

    def run(self, name: str, sql: str, **params) -> None:
        started = time.monotonic()
        with self.engine.begin() as conn:
            _setup_session(conn)
            with contextlib.suppress(sa.exc.DBAPIError):  # superuser only: skip FK triggers (checked at the end)
                with conn.begin_nested():
                    conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("SELECT setseed(0.2026)"))
            for statement in filter(str.strip, sql.split(";\n")):
                conn.execute(sa.text(statement), params)
        self.log(f"[{self.schema}] {name}: {time.monotonic() - started:.1f} s")

    @contextlib.contextmanager
    def without_indexes(self, *tables: str):
        """Drop the tables' plain indexes (not those of constraints) and build them again after."""
        with self.engine.begin() as conn:
            found = conn.execute(sa.text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(:t) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)"),
                {"t": list(tables)}).all()
            for name, _ in found:
                conn.execute(sa.text(f'DROP INDEX "{name}"'))
        yield
        self.run(f"{len(found)} indexes", ";\n".join(definition for _, definition in found))

    def vacuum(self) -> None:
        started = time.monotonic()
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("SET maintenance_work_mem = '512MB'"))
            tables = conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
            # This schema's tables only: visibility map and statistics, as autovacuum would have them.
            conn.execute(sa.text("VACUUM (ANALYZE) " + ", ".join(f'"{t}"' for t in tables)))
        self.log(f"[{self.schema}] vacuum analyze: {time.monotonic() - started:.1f} s")


# Randoms per ticket, drawn once: created_at rises with the id (one slot of the span per ticket).
_DRAW = """
CREATE UNLOGGED TABLE _bench_draw AS
SELECT g AS id, CAST(:now AS timestamptz) - make_interval(secs => :span * (1 - (g - random()) / :n)) AS created_at,
       random() AS r_open, random() AS r_status, random() AS r_priority,
       floor(random() * (SELECT count(*) FROM _bench_templates))::int AS template,
       random() AS r_triage, random() AS r_sender, random() AS r_pick, random() AS r_assign, random() AS r_member,
       random() AS r_responder, random() AS r_fr, random() AS r_resolve, random() AS r_nmsg, random() AS r_conf,
       random() AS r_escalate, random() AS r_tag
FROM generate_series(1, :n) AS g;
ANALYZE _bench_draw
"""

# Three in four tickets come from a new sender (their contact's id is the ticket's); the others
# from one of the senders before them, on the same account.
_SENDERS = """
CREATE UNLOGGED TABLE _bench_senders AS
SELECT (row_number() OVER (ORDER BY d.id))::int AS n, d.id AS contact_id, t.account_id, t.platform, t.i AS template,
       d.created_at
FROM _bench_draw d JOIN _bench_templates t ON t.i = d.template WHERE d.r_sender < 0.75 OR d.id = 1;
ALTER TABLE _bench_senders ADD PRIMARY KEY (n);
ANALYZE _bench_senders
"""


def _plan_sql() -> str:
    return """
CREATE UNLOGGED TABLE _bench_plan AS
WITH d AS (
  SELECT d.*, extract(epoch FROM CAST(:now AS timestamptz) - d.created_at) / 86400 AS age,
         CASE WHEN d.r_priority < 0.02 THEN 'urgent' WHEN d.r_priority < 0.12 THEN 'high'
              WHEN d.r_priority < 0.82 THEN 'normal' ELSE 'low' END AS priority,
         CASE WHEN d.r_triage < 0.05 THEN (SELECT id FROM queues WHERE slug = 'triage') ELSE t.queue_id END AS queue_id,
         coalesce(own.contact_id, pick.contact_id) AS contact_id, coalesce(own.account_id, pick.account_id) AS account_id,
         coalesce(own.platform, pick.platform) AS platform
  FROM _bench_draw d JOIN _bench_templates t ON t.i = d.template
  LEFT JOIN _bench_senders own ON own.contact_id = d.id
  LEFT JOIN _bench_senders pick ON own.contact_id IS NULL
       AND pick.n = 1 + least(floor(d.r_pick * greatest(1, 0.75 * (d.id - 1))), (SELECT count(*) - 1 FROM _bench_senders))::int
), o AS (
  -- open: most of the last week, half of the month before, a few older; urgent tickets (4 h to
  -- resolve) seldom stay open past their first day, high ones (24 h) less often past three
  SELECT d.*, d.r_open < CASE WHEN d.age < 7 THEN 0.8 WHEN d.age < 30 THEN 0.5 WHEN d.age < 180 THEN 0.03 ELSE 0 END
                             * CASE WHEN d.priority = 'urgent' AND d.age >= 1 THEN 0.1
                                    WHEN d.priority = 'high' AND d.age >= 3 THEN 0.5 ELSE 1 END AS is_open FROM d
), s AS (
  SELECT o.*, CASE WHEN NOT o.is_open THEN NULL
      WHEN o.age < 3 THEN CASE WHEN o.r_status < 0.5 THEN 'new' WHEN o.r_status < 0.85 THEN 'open'
                               WHEN o.r_status < 0.95 THEN 'pending' ELSE 'on_hold' END
      ELSE CASE WHEN o.r_status < 0.1 THEN 'new' WHEN o.r_status < 0.55 THEN 'open'
                WHEN o.r_status < 0.85 THEN 'pending' ELSE 'on_hold' END END AS open_status,
    -- hours to solve and to answer first, exponential with a mean by priority
    -ln(1 - o.r_resolve) * CASE o.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 12 WHEN 'normal' THEN 30 ELSE 60 END AS solve_h,
    -ln(1 - o.r_fr) * CASE o.priority WHEN 'urgent' THEN 0.15 WHEN 'high' THEN 0.7 WHEN 'normal' THEN 2.5 ELSE 10 END AS fr_h
  FROM o
), t AS (
  SELECT s.*,
    CASE WHEN s.is_open THEN NULL
         ELSE least(s.created_at + make_interval(secs => 3600 * (s.solve_h + s.fr_h)), CAST(:now AS timestamptz) - interval '1 minute') END AS solved_at,
    CASE WHEN s.open_status = 'new' THEN NULL
         ELSE least(s.created_at + make_interval(secs => 3600 * s.fr_h), CAST(:now AS timestamptz) - interval '2 minutes') END AS first_response_at,
    CASE WHEN NOT s.is_open THEN s.r_assign < 0.95  -- the rest closed by nobody in particular (spam, merged)
         WHEN s.queue_id = (SELECT id FROM queues WHERE slug = 'triage') THEN false
         WHEN s.open_status = 'new' THEN s.r_assign < 0.1 WHEN s.open_status = 'open' THEN s.r_assign < 0.7
         ELSE s.r_assign < 0.95 END AS is_assigned,
    2 + floor(s.r_nmsg * 3)::int AS nmsg
  FROM s
)
SELECT t.id, t.created_at, t.priority, t.queue_id, t.contact_id, t.account_id, t.platform, t.template, t.is_open,
  coalesce(t.open_status, CASE WHEN t.solved_at > CAST(:now AS timestamptz) - interval '4 days' THEN 'solved' ELSE 'closed' END) AS status,
  t.solved_at, CASE WHEN t.solved_at <= CAST(:now AS timestamptz) - interval '4 days' THEN t.solved_at + interval '4 days' END AS closed_at,
  t.first_response_at, t.nmsg, t.r_conf, t.r_escalate, t.r_tag,
  CASE WHEN t.is_assigned THEN m1.user_id END AS assignee_id, coalesce(CASE WHEN t.is_assigned THEN m1.user_id END, m2.user_id) AS responder_id,
  -- when each message was written: 1 the first inbound, 2 the first answer (or a follow-up while new), 3 and 4 later
  ARRAY[t.created_at,
        coalesce(t.first_response_at, t.created_at + (CAST(:now AS timestamptz) - t.created_at) * 0.2),
        coalesce(t.first_response_at, t.created_at) + (coalesce(t.solved_at, CAST(:now AS timestamptz)) - coalesce(t.first_response_at, t.created_at)) * 0.4,
        coalesce(t.first_response_at, t.created_at) + (coalesce(t.solved_at, CAST(:now AS timestamptz)) - coalesce(t.first_response_at, t.created_at)) * 0.7] AS at,
  tg.fr, tg.nr, tg.res
FROM t
JOIN (SELECT DISTINCT queue_id, n FROM _bench_members) qn ON qn.queue_id = t.queue_id
JOIN _bench_members m1 ON m1.queue_id = t.queue_id AND m1.k = floor(t.r_member * qn.n)::int
JOIN _bench_members m2 ON m2.queue_id = t.queue_id AND m2.k = floor(t.r_responder * qn.n)::int
JOIN _bench_targets tg ON tg.priority = t.priority;
ALTER TABLE _bench_plan ADD PRIMARY KEY (id);
ANALYZE _bench_plan
"""


_CONTACTS = """
INSERT INTO contacts (id, platform, external_id, display_name, email, phone, language, person_id, created_at, updated_at)
SELECT s.contact_id, s.platform, 'bench-' || s.contact_id, t.name,
       CASE WHEN s.platform = 'web-form' THEN 'sender' || s.contact_id || '@example.net' END,
       CASE WHEN s.platform = 'whatsapp' THEN '+44 7700 ' || lpad((s.contact_id % 1000000)::text, 6, '0') END,
       t.lang, NULL, s.created_at, s.created_at
FROM _bench_senders s JOIN _bench_templates t ON t.i = s.template
"""

# Reference: the id through a bijection of 40 bits (odd multiplier mod 2^40), as 8 base-32 characters.
_REF_CHAR = "substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (((p.id * 2654435761 + 977) % 1099511627776) >> {shift} & 31)::int + 1, 1)"
_REFERENCE = "'INQ-' || " + " || ".join(_REF_CHAR.format(shift=35 - 5 * k) for k in range(4)) + " || '-' || " + \
    " || ".join(_REF_CHAR.format(shift=15 - 5 * k) for k in range(4))

_TICKETS = f"""
INSERT INTO tickets (id, reference, subject, status, topic, topic_confidence, topic_source, audience, audience_confidence,
  audience_source, priority, priority_confidence, priority_source, language, language_confidence, language_source,
  label_why, queue_id, assignee_id, channel_account_id, contact_id, conversation_key, open_conversation_key,
  public_token_hash, created_at, updated_at, last_inbound_at, first_response_at, solved_at, closed_at,
  first_response_due_at, next_response_due_at, resolution_due_at, due_at, escalated_at, escalated_by_id,
  escalation_reason, merged_into_id)
SELECT p.id, {_REFERENCE}, t.subject, p.status,
  t.topic, round((0.55 + 0.44 * p.r_conf)::numeric, 3), 'classifier', t.audience, round((0.5 + 0.49 * p.r_conf)::numeric, 3),
  'classifier', p.priority, round((0.6 + 0.39 * p.r_conf)::numeric, 3), 'classifier', t.lang, 0.97, 'classifier',
  NULL, p.queue_id, p.assignee_id, p.account_id, p.contact_id, 'bench-conv-' || p.id,
  CASE WHEN p.is_open THEN 'bench-conv-' || p.id END, NULL,
  p.created_at, greatest(p.at[p.nmsg], coalesce(p.closed_at, p.solved_at, p.created_at)), x.last_inbound_at,
  p.first_response_at, p.solved_at, p.closed_at, x.fr_due, x.nr_due, x.res_due,
  CASE WHEN p.status IN ('new', 'open', 'on_hold') THEN least(x.fr_due, x.nr_due, x.res_due) END,
  CASE WHEN x.escalated THEN p.created_at + (CAST(:now AS timestamptz) - p.created_at) / 2 END,
  CASE WHEN x.escalated THEN p.assignee_id END,
  CASE WHEN x.escalated THEN 'Needs a supervisor: possible safeguarding issue.' END, NULL
FROM _bench_plan p JOIN _bench_templates t ON t.i = p.template
CROSS JOIN LATERAL (SELECT
  CASE WHEN p.status = 'new' THEN p.at[p.nmsg] WHEN p.nmsg >= 3 THEN p.at[3] ELSE p.at[1] END AS last_inbound_at,
  CASE WHEN p.is_open AND p.first_response_at IS NULL THEN p.created_at + p.fr END AS fr_due,
  CASE WHEN p.status IN ('open', 'on_hold') AND p.nmsg >= 3 THEN p.at[3] + p.nr END AS nr_due,
  CASE WHEN p.is_open THEN p.created_at + p.res END AS res_due,
  p.is_open AND p.assignee_id IS NOT NULL AND p.r_escalate < 0.02 AS escalated) x
"""

# Message k of a ticket: 1 the sender's text; then, once answered, the agent's acknowledgement,
# the sender's follow-up and an internal note (solved tickets: a last reply instead); a ticket
# still new has only the sender's messages. Ids: 4 per ticket, in ticket order.
_MESSAGE_ROWS = """
SELECT (p.id - 1) * 4 + k AS id, p.id AS ticket_id, m.direction, m.body, m.body_idx,
  CASE WHEN m.direction = 'inbound' THEN NULL ELSE p.responder_id END AS author_id,
  CASE WHEN m.direction = 'inbound' THEN p.contact_id END AS contact_id,
  CASE WHEN m.direction <> 'note' THEN p.account_id END AS channel_account_id,
  CASE m.direction WHEN 'inbound' THEN 'bench-in-' || ((p.id - 1) * 4 + k) WHEN 'outbound' THEN 'bench-out-' || ((p.id - 1) * 4 + k) END AS external_id,
  CASE m.direction WHEN 'inbound' THEN 'received' WHEN 'outbound' THEN 'delivered' END AS delivery_status,
  CAST(NULL AS json) AS attachments, CAST(NULL AS text) AS reply_to_external_id, CAST(NULL AS text) AS delivery_error,
  CASE WHEN m.direction <> 'note' THEN p.at[k] END AS sent_at, p.at[k] AS created_at
FROM _bench_plan p JOIN _bench_templates t ON t.i = p.template
CROSS JOIN LATERAL generate_series(1, p.nmsg) AS k
CROSS JOIN LATERAL (SELECT
  CASE WHEN k IN (1, 3) OR p.status = 'new' THEN 'inbound' WHEN k = 2 OR NOT p.is_open THEN 'outbound' ELSE 'note' END AS direction,
  CASE WHEN k = 1 THEN t.body WHEN k = 3 OR p.status = 'new' THEN t.followup WHEN k = 2 OR NOT p.is_open THEN t.ack
       ELSE t.note END AS body,
  CASE WHEN k = 1 THEN t.body_idx WHEN k = 3 OR p.status = 'new' THEN t.followup_idx WHEN k = 2 OR NOT p.is_open THEN t.ack_idx
       ELSE t.note_idx END AS body_idx) AS m
"""
_MESSAGE_COLUMNS = ("id, ticket_id, direction, body, author_id, contact_id, channel_account_id, external_id, "
                    "delivery_status, attachments, reply_to_external_id, delivery_error, sent_at, created_at")

_TAGS_SQL = """
INSERT INTO ticket_tags (ticket_id, tag)
SELECT p.id, (CAST(:tags AS text[]))[1 + p.id % 8] FROM _bench_plan p WHERE p.r_tag < 0.07
UNION ALL
SELECT p.id, (CAST(:tags AS text[]))[1 + (p.id % 8 + 1 + (p.id / 8) % 7) % 8] FROM _bench_plan p WHERE p.r_tag < 0.01
"""


def _search_sql(tickets: int) -> str:
    """One document per message (id = the message's), subject (4N + ticket) and contact (5N + contact).

    Contact texts: the name folded in Python, the e-mail and phone (ASCII) tokenised in SQL as
    ``index_text`` does ASCII text: lower case, runs of [a-z0-9]; ``_check`` compares samples."""
    ascii_tokens = "nullif(trim(regexp_replace(lower({0}), '[^a-z0-9]+', ' ', 'g')), '')"
    return f"""
INSERT INTO search_documents (id, message_id, subject_ticket_id, contact_id, text)
SELECT m.id, m.id, NULL, NULL, m.body_idx FROM ({_MESSAGE_ROWS}) m WHERE m.body_idx <> '';
INSERT INTO search_documents (id, message_id, subject_ticket_id, contact_id, text)
SELECT 4 * {tickets} + p.id, NULL, p.id, NULL, t.subject_idx FROM _bench_plan p JOIN _bench_templates t ON t.i = p.template
WHERE t.subject_idx <> '';
INSERT INTO search_documents (id, message_id, subject_ticket_id, contact_id, text)
SELECT 5 * {tickets} + c.id, NULL, NULL, c.id, x.text FROM contacts c JOIN _bench_senders s ON s.contact_id = c.id
JOIN _bench_templates t ON t.i = s.template
CROSS JOIN LATERAL (SELECT concat_ws(' ', nullif(t.name_idx, ''), {ascii_tokens.format('c.email')},
  {ascii_tokens.format('c.phone')}, nullif(regexp_replace(coalesce(c.phone, ''), '[^0-9]', '', 'g'), '')) AS text) x
WHERE x.text <> ''
"""


# The trail the services would have written: intake's ticket.created (what the router-quality
# report reads), the assignment, and each status change to solved and closed.
_AUDIT = """
INSERT INTO audit_events (actor_id, actor_kind, action, ticket_id, subject, before, after, created_at)
SELECT NULL, 'platform', 'ticket.created', p.id, NULL, NULL,
  json_build_object('queue', q.slug, 'topic', t.topic, 'audience', t.audience, 'priority', p.priority,
                    'language', t.lang,
                    'sources', json_build_object('topic', 'classifier', 'audience', 'classifier',
                                                 'priority', 'classifier', 'language', 'classifier'),
                    'reason', NULL), p.created_at
FROM _bench_plan p JOIN _bench_templates t ON t.i = p.template JOIN queues q ON q.id = p.queue_id;
INSERT INTO audit_events (actor_id, actor_kind, action, ticket_id, subject, before, after, created_at)
SELECT p.assignee_id, 'user', 'ticket.assigned', p.id, NULL, json_build_object('assignee_id', NULL),
  json_build_object('assignee_id', p.assignee_id), coalesce(p.first_response_at, p.at[p.nmsg]) - interval '1 minute'
FROM _bench_plan p WHERE p.assignee_id IS NOT NULL;
INSERT INTO audit_events (actor_id, actor_kind, action, ticket_id, subject, before, after, created_at)
SELECT p.assignee_id, CASE WHEN p.assignee_id IS NULL THEN 'system' ELSE 'user' END, 'ticket.status', p.id, NULL,
  json_build_object('status', 'open'),
  json_build_object('status', CASE WHEN p.is_open THEN p.status ELSE 'solved' END), coalesce(p.solved_at, p.at[p.nmsg])
FROM _bench_plan p WHERE NOT p.is_open OR p.status IN ('pending', 'on_hold');
INSERT INTO audit_events (actor_id, actor_kind, action, ticket_id, subject, before, after, created_at)
SELECT NULL, 'system', 'ticket.status', p.id, NULL, json_build_object('status', 'solved'),
  json_build_object('status', 'closed'), p.closed_at
FROM _bench_plan p WHERE p.closed_at IS NOT NULL
"""

_SEQUENCES = ";\n".join(
    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
    for table in ("contacts", "tickets", "messages", "search_documents", "audit_events"))


def _check(engine, log) -> dict:
    """Counts, the foreign keys the build skipped, and search texts against the app's folding."""
    from inquiry.search.text import contact_text, index_text

    with engine.connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql)).scalar_one()  # noqa: E731
        counts = {table: q(f"SELECT count(*) FROM {table}") for table in
                  ("tickets", "messages", "contacts", "ticket_tags", "search_documents", "audit_events", "users")}
        counts["open"] = q("SELECT count(*) FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold')")
        counts["by_status"] = dict(conn.execute(sa.text("SELECT status, count(*) FROM tickets GROUP BY status")).all())
        orphans = {
            "tickets.contact": "SELECT count(*) FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id WHERE c.id IS NULL",
            "tickets.assignee": "SELECT count(*) FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id "
                                "WHERE t.assignee_id IS NOT NULL AND u.id IS NULL",
            "tickets.assignee not a member": "SELECT count(*) FROM tickets t LEFT JOIN queue_members m ON "
                                             "m.user_id = t.assignee_id AND m.queue_id = t.queue_id "
                                             "WHERE t.assignee_id IS NOT NULL AND m.user_id IS NULL",
            "messages.ticket": "SELECT count(*) FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id WHERE t.id IS NULL",
            "contacts.platform": "SELECT count(*) FROM tickets t JOIN contacts c ON c.id = t.contact_id JOIN "
                                 "channel_accounts a ON a.id = t.channel_account_id WHERE a.platform <> c.platform",
        }
        bad = {name: n for name, sql in orphans.items() if (n := q(sql))}
        samples = conn.execute(sa.text(
            "SELECT d.text, m.body, t.subject, c.display_name, c.email, c.phone FROM search_documents d "
            "LEFT JOIN messages m ON m.id = d.message_id LEFT JOIN tickets t ON t.id = d.subject_ticket_id "
            "LEFT JOIN contacts c ON c.id = d.contact_id WHERE d.id % 97 = 0 LIMIT 3000")).all()
        for text, body, subject, name, email, phone in samples:
            expected = index_text(body) if body is not None else index_text(subject) if subject is not None \
                else contact_text(name, email, phone)
            if text != expected:
                bad["search text"] = bad.get("search text", 0) + 1
    if bad:
        raise RuntimeError(f"the generated data is inconsistent: {bad}")
    log(f"checked: foreign keys, assignees are queue members, {len(samples)} search texts as the app folds them")
    return counts


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickets", type=int, default=DEFAULT_TICKETS, help=f"default {DEFAULT_TICKETS:,}")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_TICKETS:,} tickets")
    p.add_argument("--url", default=PG_URL, help=f"PostgreSQL server (default {PG_URL})")
    p.add_argument("--schema", help="default: bench_workspace_<size>, e.g. bench_workspace_1m")
    p.add_argument("--rebuild", action="store_true", help="build even if the schema already holds the data set")
    p.add_argument("--drop", action="store_true", help="drop the schema and exit")
    args = p.parse_args(argv)
    tickets = QUICK_TICKETS if args.quick else args.tickets
    if tickets < 1000:
        p.error("--tickets: at least 1000")
    schema = args.schema or default_schema(tickets)
    if args.drop:
        drop(args.url, schema)
        print(f"dropped {schema}")
        return 0
    started = time.monotonic()
    data = ensure(tickets, url=args.url, schema=schema, rebuild=args.rebuild,
                  log=lambda text: print(f"{time.monotonic() - started:7.1f}s {text}", file=sys.stderr, flush=True))
    print(json.dumps({"schema": data.schema, "url": data.url, "reused": data.reused, "built_at": data.built_at.isoformat(),
                      "build_seconds": data.build_seconds, "agent": data.agent_email,
                      "supervisor": data.supervisor_email, "password": data.password, **data.counts}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
