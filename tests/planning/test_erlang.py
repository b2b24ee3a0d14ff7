"""Erlang C: the worked case from the issue, the textbook identities, and monotonicity."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry.planning.erlang import (agents_for, average_speed_of_answer, erlang_b, erlang_c_wait_probability,
                                     occupancy, scheduled, service_level, traffic_erlangs)


def test_worked_case_from_the_issue():
    # 100 contacts per 30 min, 180 s handle time: 10 Erlangs; 80 % answered within 20 s.
    traffic = traffic_erlangs(100, 1800, 180)
    assert traffic == 10
    assert round(service_level(13, traffic, 180, 20), 4) == 0.7956
    assert round(service_level(14, traffic, 180, 20), 4) == 0.8884
    staffing = agents_for(100, 1800, 180, 0.8, 20, shrinkage=0.3)
    assert (staffing.model, staffing.agents, staffing.scheduled) == ("erlang_c", 14, 20)
    assert round(staffing.service_level, 4) == 0.8884
    assert staffing.occupancy == pytest.approx(10 / 14)
    assert staffing.wait_probability == pytest.approx(erlang_c_wait_probability(14, 10))
    assert staffing.asa_seconds == pytest.approx(average_speed_of_answer(14, 10, 180))
    assert staffing.abandonment is None


def test_textbook_values_and_identities():
    # Erlang B by the closed form for a small case: A^n/n! / Σ A^k/k!
    a, n = 7.5, 9
    closed = (a ** n / math.factorial(n)) / sum(a ** k / math.factorial(k) for k in range(n + 1))
    assert erlang_b(n, a) == pytest.approx(closed, rel=1e-12)
    # Erlang C from B: C = nB / (n − A(1 − B)), and ASA = C·aht/(n − A)
    b = erlang_b(n, a)
    assert erlang_c_wait_probability(n, a) == pytest.approx(n * b / (n - a * (1 - b)), rel=1e-12)
    assert average_speed_of_answer(n, a, 240) == pytest.approx(erlang_c_wait_probability(n, a) * 240 / 1.5)
    # Answering within 0 s means not waiting at all.
    assert service_level(n, a, 240, 0) == pytest.approx(1 - erlang_c_wait_probability(n, a))
    assert occupancy(n, a) == pytest.approx(a / n)


def test_understaffed_and_empty_intervals():
    assert erlang_c_wait_probability(10, 10) == 1.0
    assert service_level(9, 10, 180, 20) == 0.0
    assert average_speed_of_answer(10, 10, 180) == math.inf
    assert occupancy(5, 10) == 1.0
    assert erlang_c_wait_probability(3, 0) == 0.0 and service_level(0, 0, 180, 20) == 1.0
    nothing = agents_for(0, 1800, 180, 0.8, 20, shrinkage=0.3)
    assert (nothing.agents, nothing.scheduled, nothing.service_level) == (0, 0, 1.0)


def test_large_traffic_is_stable():
    # 50 000 Erlangs: factorials would overflow; the recursion does not.
    staffing = agents_for(500_000, 1800, 180, 0.9, 15)
    assert 50_000 < staffing.agents < 50_500
    assert 0.9 <= staffing.service_level < 1
    assert 0 < staffing.wait_probability < 1 and math.isfinite(staffing.asa_seconds)
    assert service_level(staffing.agents - 1, 50_000, 180, 15) < 0.9


def test_occupancy_cap_adds_agents():
    # 10 Erlangs at 80 %/20 s needs 14 (71 % busy); a 65 % cap needs ceil(10 / 0.65) = 16.
    assert agents_for(100, 1800, 180, 0.8, 20, max_occupancy=0.65).agents == 16
    assert agents_for(100, 1800, 180, 0.8, 20, max_occupancy=0.85).agents == 14
    capped = agents_for(850, 1800, 18, 0.5, 60, max_occupancy=0.85)  # 8.5 Erlangs: exactly 10 at 85 %
    assert capped.agents == 10 and capped.occupancy == pytest.approx(0.85)


def test_scheduled_applies_shrinkage_without_float_noise():
    assert scheduled(14, 0.3) == 20
    assert scheduled(7, 0.3) == 10
    assert scheduled(15, 0.3) == 22
    assert scheduled(10, 0) == 10
    assert scheduled(0, 0.5) == 0


@pytest.mark.parametrize("call", [
    lambda: service_level(-1, 10, 180, 20),
    lambda: service_level(14, -1, 180, 20),
    lambda: service_level(14, 10, 0, 20),
    lambda: service_level(14, 10, 180, -5),
    lambda: service_level(14, float("nan"), 180, 20),
    lambda: service_level(2.5, 1, 180, 20),
    lambda: agents_for(100, 0, 180, 0.8, 20),
    lambda: agents_for(100, 1800, 180, 1.0, 20),
    lambda: agents_for(100, 1800, 180, 0.0, 20),
    lambda: agents_for(100, 1800, 180, 0.8, 20, shrinkage=1.0),
    lambda: agents_for(100, 1800, 180, 0.8, 20, max_occupancy=0),
    lambda: agents_for(100, 1800, 180, 0.8, 20, max_abandonment=0.1),  # no patience: Erlang C
    lambda: agents_for(float("inf"), 1800, 180, 0.8, 20),
    lambda: scheduled(10, 1.2),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()


@given(traffic=st.floats(0.1, 300), extra=st.integers(1, 40), aht=st.floats(10, 1200), t=st.floats(0, 600))
def test_service_level_rises_with_agents(traffic, extra, aht, t):
    n = math.floor(traffic) + extra
    assert service_level(n + 1, traffic, aht, t) >= service_level(n, traffic, aht, t) - 1e-12
    assert erlang_c_wait_probability(n + 1, traffic) <= erlang_c_wait_probability(n, traffic) + 1e-12


@given(arrivals=st.floats(0, 3000), more=st.floats(0, 500), aht=st.floats(10, 900),
       target=st.floats(0.05, 0.99), t=st.floats(0, 300), cap=st.one_of(st.none(), st.floats(0.5, 1)))
def test_required_agents_never_fall_as_arrivals_rise(arrivals, more, aht, target, t, cap):
    fewer = agents_for(arrivals, 1800, aht, target, t, cap)
    busier = agents_for(arrivals + more, 1800, aht, target, t, cap)
    assert busier.agents >= fewer.agents


@given(arrivals=st.floats(0.5, 3000), aht=st.floats(10, 900), target=st.floats(0.05, 0.99), t=st.floats(0, 300),
       cap=st.one_of(st.none(), st.floats(0.5, 1)))
def test_required_agents_are_the_fewest_that_meet_the_target(arrivals, aht, target, t, cap):
    staffing = agents_for(arrivals, 1800, aht, target, t, cap)
    traffic = staffing.traffic_erlangs
    assert staffing.service_level >= target - 1e-12
    assert cap is None or staffing.occupancy <= cap + 1e-12
    n = staffing.agents - 1
    fewer_meets = service_level(n, traffic, aht, t) >= target - 1e-12 and (cap is None or occupancy(n, traffic) <= cap + 1e-12) and n > traffic
    assert not fewer_meets
