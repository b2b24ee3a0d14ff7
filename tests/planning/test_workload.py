"""Workload model (hour-scale targets) and what coverage costs in FTE."""
import pytest

from inquiry.planning.workload import fte_for_coverage, required_fte, workload_agents


def test_workload_is_work_over_sustainable_capacity():
    # 40 emails in a 4-hour window at 10 min each: 400 min of work; 240 min × 0.85 a head → 2 agents.
    assert workload_agents(40, 600, 4 * 3600, 0.85) == 2
    # 100 posts a day at 6 min, answered within 24 h, at 85 %: 600 min / 1224 min → 1 agent.
    assert workload_agents(100, 360, 24 * 3600) == 1
    # Exactly full: 17 h of work in a 20-hour window at 85 % is one agent, not two.
    assert workload_agents(17, 3600, 20 * 3600, 0.85) == 1
    assert workload_agents(18, 3600, 20 * 3600, 0.85) == 2


def test_any_arrival_needs_someone_and_none_needs_no_one():
    assert workload_agents(0.01, 30, 8 * 3600) == 1
    assert workload_agents(0, 600, 3600) == 0


def test_a_24_7_seat_is_6_4_fte():
    assert fte_for_coverage(168) == pytest.approx(6.4)
    assert fte_for_coverage(168) == pytest.approx(168 / (37.5 * (1 - 0.3)))
    # Office hours, five days of nine hours; two seats double it; no shrinkage is the raw ratio.
    assert fte_for_coverage(45) == pytest.approx(45 / 26.25)
    assert fte_for_coverage(168, seats=2) == pytest.approx(12.8)
    assert fte_for_coverage(168, contracted_hours=40, shrinkage=0) == pytest.approx(4.2)
    assert required_fte(26.25) == pytest.approx(1.0)


@pytest.mark.parametrize("call", [
    lambda: workload_agents(-1, 600, 3600),
    lambda: workload_agents(10, 0, 3600),
    lambda: workload_agents(10, 600, 0),
    lambda: workload_agents(10, 600, 3600, max_occupancy=0),
    lambda: workload_agents(10, 600, 3600, max_occupancy=1.5),
    lambda: fte_for_coverage(169),
    lambda: fte_for_coverage(168, shrinkage=1),
    lambda: fte_for_coverage(168, contracted_hours=0),
    lambda: fte_for_coverage(168, seats=-1),
    lambda: fte_for_coverage(float("nan")),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()
