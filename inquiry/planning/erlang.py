"""Erlang C and Erlang A: how many agents an interval needs to answer a share of contacts in time.

Traffic is in Erlangs: arrivals × average handle time ÷ interval length (10 Erlangs = ten agents'
worth of work). Erlang C (M/M/n) assumes nobody hangs up; Erlang A (M/M/n+M) lets each waiting
contact leave after an exponential patience with mean ``patience`` seconds, which is what
chat and phone queues really do and which makes Erlang C overstaff.

Erlang C goes through the Erlang B recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which stays in
[0, 1] for any traffic, so there are no factorials to overflow.

Erlang A is solved exactly from its birth–death chain. An arrival that finds k < n contacts in
the system is answered at once; one that finds n + j has j ahead of it, and the time until it
reaches an agent (if it were infinitely patient) is a sum of exponentials with rates
nμ + iθ (i = j … 0), which is −ln(B)/θ for B ~ Beta(nμ/θ, j + 1). Its own patience is
exponential, so each quantity per position is a regularised incomplete beta function; the
stationary weights are summed in log space, and only the queue lengths that carry probability
(above e⁻⁵⁰ of the peak) are visited.

Service level means what it does on a contact-centre wallboard: contacts answered within the
threshold ÷ (contacts answered + contacts abandoned after the threshold). Contacts that give up
before the threshold count for neither side. With this definition Erlang A never asks for more
agents than Erlang C for the same target, and it tends to Erlang C as patience grows. The
abandonment rate is reported beside it, and ``agents_for`` can cap it (``max_abandonment``),
because very impatient callers would otherwise flatter the service level.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

from inquiry.planning.checks import number, share, whole

# Queue lengths beyond this are not visited one by one. Only a badly understaffed interval with
# almost infinite patience gets there; then the abandonment rate is still exact (flow balance),
# contacts past the cap count as not answered in time (the service level can only be
# understated) and the mean wait is a lower bound.
MAX_QUEUE_STATES = 200_000
_LOG_NEGLIGIBLE = 50.0  # weights below e^-50 of the peak are left out
_MAX_AGENTS = 10_000_000
_EPS = 1e-12  # float slack when comparing a computed ratio with a target


# --- Erlang B and C -----------------------------------------------------------------------------

def traffic_erlangs(arrivals: float, interval: float, aht: float) -> float:
    """Offered load in Erlangs: arrivals × handle time ÷ interval (all times in seconds)."""
    arrivals = number("arrivals", arrivals)
    interval = number("interval", interval, strict=True)
    aht = number("aht", aht, strict=True)
    return arrivals * aht / interval


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of n agents with no waiting room (the stable recursion)."""
    n, a = whole("agents", agents), number("traffic", traffic)
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def _c_from_b(n: int, a: float, b: float) -> float:
    return n * b / (n - a * (1.0 - b))


def erlang_c_wait_probability(agents: int, traffic: float) -> float:
    """Probability that a contact has to queue (Erlang C); 1 when agents ≤ traffic (the queue
    grows without bound), 0 when there is no traffic."""
    n, a = whole("agents", agents), number("traffic", traffic)
    if a == 0:
        return 0.0
    if n <= a:
        return 1.0
    return min(1.0, _c_from_b(n, a, erlang_b(n, a)))


def service_level(agents: int, traffic: float, aht: float, answer_within: float,
                  patience: float | None = None) -> float:
    """Share of contacts answered within ``answer_within`` seconds.

    Erlang C: 1 − C·e^(−(n−A)·t/aht). With ``patience`` (mean seconds before a waiting contact
    hangs up) it is Erlang A, answered within t ÷ (answered + abandoned after t).
    """
    if patience is not None:
        return erlang_a(agents, traffic, aht, answer_within, patience).service_level
    n, a = whole("agents", agents), number("traffic", traffic)
    aht = number("aht", aht, strict=True)
    t = number("answer_within", answer_within)
    if a == 0:
        return 1.0
    if n <= a:
        return 0.0
    return max(0.0, 1.0 - erlang_c_wait_probability(n, a) * math.exp(-(n - a) * t / aht))


def average_speed_of_answer(agents: int, traffic: float, aht: float, patience: float | None = None) -> float:
    """Mean wait in seconds of answered contacts, zero waits included (inf when understaffed
    under Erlang C)."""
    if patience is not None:
        return erlang_a(agents, traffic, aht, 0.0, patience).asa_seconds
    n, a = whole("agents", agents), number("traffic", traffic)
    aht = number("aht", aht, strict=True)
    if a == 0:
        return 0.0
    if n <= a:
        return math.inf
    return erlang_c_wait_probability(n, a) * aht / (n - a)


def occupancy(agents: int, traffic: float) -> float:
    """Share of agent time spent handling contacts (Erlang C): traffic ÷ agents, at most 1."""
    n, a = whole("agents", agents), number("traffic", traffic)
    if a == 0:
        return 0.0
    return 1.0 if n <= a else a / n


def scheduled(agents: int, shrinkage: float) -> int:
    """Agents to roster so that ``agents`` are on the queue after shrinkage (breaks, training,
    leave, meetings): ceil(agents ÷ (1 − shrinkage))."""
    n = whole("agents", agents)
    s = share("shrinkage", shrinkage, allow_zero=True)
    return math.ceil(round(n / (1.0 - s), 9))  # 14 ÷ 0.7 must be 20, not 20.000000000000004


# --- Erlang A -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ErlangA:
    """The steady state of an M/M/n+M queue as one arriving contact sees it."""

    service_level: float    # answered within t ÷ (answered + abandoned after t)
    answered_within: float  # share of all arrivals answered within t
    wait_probability: float  # share of arrivals that have to queue
    abandonment: float      # share of arrivals that hang up before an agent takes them
    asa_seconds: float      # mean wait of answered contacts, zero waits included
    occupancy: float        # carried load ÷ agents


def _logsumexp(values: np.ndarray) -> float:
    if values.size == 0:
        return -math.inf
    top = float(values.max())
    if top == -math.inf:
        return top
    return top + math.log(float(np.exp(values - top).sum()))


def _log_rising(a: float, d):
    """log Γ(a + d) − log Γ(a), accurate even when a dwarfs d (Stirling, differenced by hand)."""
    d = np.asarray(d, dtype=float)
    if a < 1e7:
        return special.gammaln(a + d) - special.gammaln(a)
    return (a - 0.5) * np.log1p(d / a) + d * np.log(a + d) - d + (1.0 / (12.0 * (a + d)) - 1.0 / (12.0 * a))


def _log_queue_total(c: float, x: float, excess: float) -> float:
    """log Σ_j x^j·Γ(c+1)/Γ(c+j+1) = log(Γ(c+1)·x^(−c)·e^x·P(c, x)), P the regularised lower
    incomplete gamma function; ``excess`` is x − c."""
    if c < 1e7:
        base = math.lgamma(c + 1.0) - c * math.log(x) + x
    else:
        u = excess / c
        base = c * (u - math.log1p(u)) + 0.5 * math.log(2.0 * math.pi * c) + 1.0 / (12.0 * c)
    return base + math.log(max(float(special.gammainc(c, x)), 1e-300))


def erlang_a(agents: int, traffic: float, aht: float, answer_within: float, patience: float) -> ErlangA:
    """Erlang A (M/M/n+M) with exponential patience of mean ``patience`` seconds."""
    n, a = whole("agents", agents), number("traffic", traffic)
    aht = number("aht", aht, strict=True)
    t = number("answer_within", answer_within)
    patience = number("patience", patience, strict=True)
    if a == 0:
        return ErlangA(1.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if n == 0:  # everyone waits, nobody is answered
        return ErlangA(0.0, 0.0, 1.0, 1.0, math.inf, 0.0)
    c = n * patience / aht  # service rate of the whole floor ÷ abandonment rate of one contact
    x = a * patience / aht  # arrival rate ÷ abandonment rate of one contact
    excess = (a - n) * patience / aht  # x − c, without the cancellation

    # Stationary weights: A^k/k! for k < n; for n + j (j waiting) A^n/n! · x^j·Γ(c+1)/Γ(c+j+1).
    k = np.arange(n)
    log_busy = k * math.log(a) - special.gammaln(k + 1.0)
    log_full = n * math.log(a) - math.lgamma(n + 1.0)

    def log_queue(j):
        return log_full + j * math.log(x) - _log_rising(c + 1.0, j)

    peak = max(0, math.ceil(excess))  # queue weights rise while x > c + j
    limit = float(log_queue(peak)) - _LOG_NEGLIGIBLE
    span = 64
    while peak + span <= MAX_QUEUE_STATES and float(log_queue(peak + span)) > limit:
        span *= 2
    last = min(peak + span, MAX_QUEUE_STATES)
    j = np.arange(last + 1, dtype=float)
    # Exact weights: a running sum of log(x / (c + j)), each term accurate to the last digit.
    log_q = log_full + np.concatenate([[0.0], np.cumsum(np.log(x / (c + j[1:])))])
    log_tail = -math.inf
    if last < peak or float(log_q[-1]) > limit:  # the cap cut the queue short: weigh the rest in closed form
        log_all = log_full + _log_queue_total(c, x, excess)
        seen = _logsumexp(log_q)
        if seen < log_all:
            log_tail = log_all + math.log1p(-math.exp(seen - log_all))
    log_z = float(np.logaddexp(_logsumexp(np.concatenate([log_busy, log_q])), log_tail))
    no_wait = float(np.exp(log_busy - log_z).sum())
    p = np.exp(log_q - log_z)
    tail = math.exp(log_tail - log_z) if log_tail > -math.inf else 0.0

    stay = math.exp(-t / patience)  # own patience outlasts t
    gone = -math.expm1(-t / patience)
    answered_if_patient = c / (c + j + 1.0)  # nμ ÷ (nμ + (j+1)θ): answered before hanging up
    answered_within = no_wait + float((p * answered_if_patient * special.betainc(j + 1.0, c + 1.0, gone)).sum())
    # P(not reached by t) = I_stay(c, j+1), taken as the complement at ``gone`` for accuracy
    waiting_at_t = float((p * stay * special.betaincc(j + 1.0, c, gone)).sum()) + tail * stay
    busy = float((k * np.exp(log_busy - log_z)).sum()) + n * (1.0 - no_wait)  # mean agents on a contact
    if tail == 0.0:
        abandonment = float((p * (j + 1.0) / (c + j + 1.0)).sum())
    else:  # flow balance: everyone not abandoning keeps an agent busy for one handle time
        abandonment = 1.0 - busy / a
    # Mean wait of those answered: (c/(c+j+1)) · Σ_{i≤j} patience/(c+1+i); the tail (if any)
    # is counted as if it were one place past the last visited, so the mean is a lower bound.
    wait_if_answered = answered_if_patient * np.cumsum(patience / (c + 1.0 + j))
    waited = float((p * wait_if_answered).sum())
    if tail:
        waited += tail * c / (c + last + 2.0) * (float(np.sum(patience / (c + 1.0 + j))) + patience / (c + last + 2.0))
    answered = max(1.0 - abandonment, 0.0)
    asa = waited / answered if answered > 0 else math.inf
    # 0/0 (everyone gives up before t) counts as a miss, not as a perfect score.
    level = answered_within / (answered_within + waiting_at_t) if answered_within + waiting_at_t > 0 else 0.0
    return ErlangA(
        service_level=min(1.0, max(0.0, level)),
        answered_within=min(1.0, max(0.0, answered_within)),
        wait_probability=min(1.0, max(0.0, 1.0 - no_wait)),
        abandonment=min(1.0, max(0.0, abandonment)),
        asa_seconds=asa,
        occupancy=min(1.0, busy / n),
    )


# --- required agents ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Staffing:
    """The smallest number of agents that meets every constraint, and how that interval runs."""

    model: str               # "erlang_c" or "erlang_a"
    agents: int              # on the queue
    scheduled: int           # rostered, after shrinkage
    shrinkage: float
    traffic_erlangs: float
    service_level: float
    wait_probability: float
    asa_seconds: float
    occupancy: float
    answered_within: float   # share of all arrivals answered in time (= service_level for C)
    abandonment: float | None = None  # Erlang A only

    def as_dict(self) -> dict:
        return asdict(self)


def _meets(level: float, target: float) -> bool:
    return level >= target - _EPS


def agents_for(arrivals: float, interval: float, aht: float, target: float, answer_within: float,
               max_occupancy: float | None = None, *, patience: float | None = None,
               shrinkage: float = 0.0, max_abandonment: float | None = None) -> Staffing:
    """Smallest n that answers ``target`` of contacts within ``answer_within`` seconds and keeps
    occupancy ≤ ``max_occupancy`` (and, under Erlang A, abandonment ≤ ``max_abandonment``).

    ``arrivals`` per ``interval`` seconds; ``aht`` and ``patience`` in seconds. Erlang C unless
    ``patience`` is given. No arrivals need no agents.
    """
    a = traffic_erlangs(arrivals, interval, aht)
    target = share("target", target)
    t = number("answer_within", answer_within)
    shrinkage = share("shrinkage", shrinkage, allow_zero=True)
    if max_occupancy is not None:
        max_occupancy = share("max_occupancy", max_occupancy, allow_one=True)
    if patience is not None:
        patience = number("patience", patience, strict=True)
    if max_abandonment is not None:
        if patience is None:
            raise ValueError("max_abandonment needs a patience (Erlang A); Erlang C has no abandonment")
        max_abandonment = share("max_abandonment", max_abandonment, allow_one=True)
    model = "erlang_c" if patience is None else "erlang_a"
    if a >= _MAX_AGENTS:
        raise ValueError(f"{a:g} Erlangs is beyond this planner (split the queue)")
    if a == 0:
        return Staffing(model, 0, 0, shrinkage, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, None if patience is None else 0.0)
    if patience is None:
        return _erlang_c_staffing(a, aht, target, t, max_occupancy, shrinkage)
    return _erlang_a_staffing(a, aht, target, t, max_occupancy, shrinkage, patience, max_abandonment)


def _erlang_c_staffing(a, aht, target, t, max_occupancy, shrinkage) -> Staffing:
    b = 1.0
    for n in range(1, _MAX_AGENTS):
        b = a * b / (n + a * b)  # Erlang B for n agents, carried along instead of recomputed
        if n <= a:
            continue
        wait = min(1.0, _c_from_b(n, a, b))
        level = max(0.0, 1.0 - wait * math.exp(-(n - a) * t / aht))
        if _meets(level, target) and (max_occupancy is None or a / n <= max_occupancy + _EPS):
            return Staffing("erlang_c", n, scheduled(n, shrinkage), shrinkage, a, level, wait,
                            wait * aht / (n - a), a / n, level)
    raise ValueError("no staffing up to ten million agents meets that target")


def _erlang_a_staffing(a, aht, target, t, max_occupancy, shrinkage, patience, max_abandonment) -> Staffing:
    def result(n):
        return erlang_a(n, a, aht, t, patience)

    def ok(r):
        return (_meets(r.service_level, target)
                and (max_abandonment is None or r.abandonment <= max_abandonment + _EPS)
                and (max_occupancy is None or r.occupancy <= max_occupancy + _EPS))

    # Service level and abandonment improve, and occupancy falls, with every agent added, so
    # bracket and bisect. Erlang C's answer always suffices for the service level (the caps may
    # need more); gallop down from it so that badly understaffed (slow to solve) cases are rarely
    # tried. Whatever is returned has been checked to meet every constraint.
    high = _erlang_c_staffing(a, aht, target, t, max_occupancy, 0.0).agents
    while not ok(result(high)):
        if high > _MAX_AGENTS:
            raise ValueError("no staffing up to ten million agents meets that target")
        high *= 2
    low, step = 0, 1  # 0 agents never suffice: nobody is answered
    while high - step > 0:
        if not ok(result(high - step)):
            low = high - step
            break
        high -= step
        step *= 2
    while high - low > 1:
        mid = (low + high) // 2
        if ok(result(mid)):
            high = mid
        else:
            low = mid
    n, r = high, result(high)
    return Staffing("erlang_a", n, scheduled(n, shrinkage), shrinkage, a, r.service_level, r.wait_probability,
                    r.asa_seconds, r.occupancy, r.answered_within, r.abandonment)
