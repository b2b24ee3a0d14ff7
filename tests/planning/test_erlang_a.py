"""Erlang A (abandonment): checked against an independent numerical solution of the same queue,
against Erlang C in the limit, and against the staffing it must never exceed."""
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.linalg import expm
from threadpoolctl import threadpool_limits

from inquiry.planning.erlang import (agents_for, average_speed_of_answer, erlang_a, erlang_b, erlang_c_wait_probability,
                                     occupancy, service_level)


def brute_force(n, traffic, aht, t, patience, states=120):
    """Solve M/M/n+M directly: the stationary law of the truncated birth–death chain, then the
    tagged arrival's own chain (positions ahead → answered / gave up) through a matrix exponential."""
    lam, mu, theta = traffic / aht, 1 / aht, 1 / patience
    weights = [1.0]
    for k in range(1, states + 1):
        weights.append(weights[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    pi = np.array(weights) / sum(weights)
    m = states - n + 1  # positions 0 … m−1 ahead
    generator = np.zeros((m + 2, m + 2))
    answered, gave_up = m, m + 1
    for j in range(m):
        forward = n * mu + j * theta
        generator[j, answered if j == 0 else j - 1] += forward
        generator[j, gave_up] += theta
        generator[j, j] = -(forward + theta)
    start = pi[n:]
    with threadpool_limits(1):  # a small matrix: BLAS threads only fight each other
        after_t = np.concatenate([start, [0.0, 0.0]]) @ expm(generator * t)
    answered_within = pi[:n].sum() + after_t[answered]
    waiting = after_t[:m].sum()
    inner = generator[:m, :m]
    reach = np.linalg.solve(inner, -generator[:m, answered])  # P(answered) from each position
    time_to_answer = np.linalg.solve(inner, -reach)  # E[wait; answered] from each position
    p_answered = pi[:n].sum() + start @ reach
    return {
        "service_level": answered_within / (answered_within + waiting),
        "answered_within": answered_within,
        "wait_probability": 1 - pi[:n].sum(),
        "abandonment": 1 - p_answered,
        "asa_seconds": (start @ time_to_answer) / p_answered,
        "occupancy": sum(min(k, n) * pi[k] for k in range(states + 1)) / n,
    }


@pytest.mark.parametrize("case", [
    (13, 10, 180, 20, 120),   # the worked case with two-minute patience
    (8, 10, 180, 20, 60),     # understaffed: only abandonment keeps the queue finite
    (3, 2.5, 300, 60, 30),
    (20, 25, 240, 30, 200),
    (1, 0.4, 120, 0, 45),     # answered within 0 s: not waiting at all
])
def test_matches_an_independent_solution_of_the_queue(case):
    ours = erlang_a(*case)
    theirs = brute_force(*case)
    for field, value in theirs.items():
        assert getattr(ours, field) == pytest.approx(value, rel=1e-9, abs=1e-12), field


def test_flow_balance_holds():
    # Every contact that does not give up keeps an agent busy for one handle time.
    r = erlang_a(12, 11.3, 200, 30, 90)
    assert r.occupancy * 12 == pytest.approx(11.3 * (1 - r.abandonment), rel=1e-12)


@pytest.mark.parametrize("patience", [1e12, 1e100])
@pytest.mark.parametrize("n,traffic,aht,t", [(13, 10, 180, 20), (14, 10, 180, 20), (52, 50, 300, 15), (3, 1.2, 60, 90)])
def test_very_patient_callers_are_erlang_c(n, traffic, aht, t, patience):
    r = erlang_a(n, traffic, aht, t, patience)
    assert r.service_level == pytest.approx(service_level(n, traffic, aht, t), abs=1e-8)
    assert r.wait_probability == pytest.approx(erlang_c_wait_probability(n, traffic), abs=1e-8)
    assert r.asa_seconds == pytest.approx(average_speed_of_answer(n, traffic, aht), rel=1e-8)
    assert r.occupancy == pytest.approx(occupancy(n, traffic), rel=1e-8)
    assert r.abandonment < 1e-9


def test_patience_slides_from_erlang_b_to_erlang_c():
    # Callers who leave at once make a loss system (Erlang B); the service level rises with impatience.
    assert erlang_a(12, 10, 180, 20, 1e-6).wait_probability == pytest.approx(erlang_b(12, 10), rel=1e-6)
    levels = [erlang_a(12, 10, 180, 20, p).service_level for p in (1e-3, 10, 60, 300, 3600, 1e12)]
    assert levels == sorted(levels, reverse=True)
    assert levels[-1] == pytest.approx(service_level(12, 10, 180, 20), abs=1e-8)


def test_worked_case_under_erlang_a():
    c = agents_for(100, 1800, 180, 0.8, 20, shrinkage=0.3)
    patient = agents_for(100, 1800, 180, 0.8, 20, shrinkage=0.3, patience=1e9)
    assert (patient.model, patient.agents, patient.scheduled) == ("erlang_a", c.agents, c.scheduled)
    assert round(patient.service_level, 4) == 0.8884
    two_minutes = agents_for(100, 1800, 180, 0.8, 20, shrinkage=0.3, patience=120)
    assert two_minutes.agents == 12 and two_minutes.scheduled == 18
    assert 0 < two_minutes.abandonment < 0.1
    assert erlang_a(11, 10, 180, 20, 120).service_level < 0.8 <= two_minutes.service_level


def test_abandonment_cap_adds_agents():
    loose = agents_for(100, 1800, 180, 0.8, 20, patience=10)
    capped = agents_for(100, 1800, 180, 0.8, 20, patience=10, max_abandonment=0.05)
    assert loose.abandonment > 0.5  # very impatient callers flatter the service level …
    assert capped.abandonment <= 0.05 < erlang_a(capped.agents - 1, 10, 180, 20, 10).abandonment  # … hence the cap
    assert capped.agents > loose.agents


def test_swamped_queue_with_near_infinite_patience_is_quick_and_sane():
    started = time.perf_counter()
    r = erlang_a(5, 10, 180, 20, 1e9)  # half the work can never be done: half the callers give up
    assert time.perf_counter() - started < 5
    assert r.abandonment == pytest.approx(0.5, abs=1e-6)
    assert r.service_level < 1e-6 and r.occupancy == pytest.approx(1)


@given(arrivals=st.floats(1, 600), aht=st.floats(30, 900), target=st.floats(0.3, 0.97), t=st.floats(0, 300),
       patience=st.floats(5, 3600))
def test_erlang_a_never_needs_more_agents_than_erlang_c(arrivals, aht, target, t, patience):
    c = agents_for(arrivals, 1800, aht, target, t)
    a = agents_for(arrivals, 1800, aht, target, t, patience=patience)
    assert a.agents <= c.agents
    assert a.service_level >= target - 1e-12
    assert a.agents == 1 or erlang_a(a.agents - 1, a.traffic_erlangs, aht, t, patience).service_level < target


@given(traffic=st.floats(0.1, 200), n=st.integers(1, 250), aht=st.floats(30, 900), t=st.floats(0, 300),
       patience=st.floats(1, 3600))
def test_more_agents_never_hurt(traffic, n, aht, t, patience):
    fewer, more = erlang_a(n, traffic, aht, t, patience), erlang_a(n + 1, traffic, aht, t, patience)
    assert more.service_level >= fewer.service_level - 1e-9
    assert more.abandonment <= fewer.abandonment + 1e-12
    assert more.occupancy <= fewer.occupancy + 1e-12
