"""What a budget buys (budget.py) and the seats an hour needs (seats.py): pure, no app."""
import math

import pytest

from inquiry.planning.budget import buy
from inquiry.planning.erlang import service_level
from inquiry.planning.seats import ERLANG_C, HOURS, WORKLOAD, Demand, shift_to_open

ALWAYS = (True,) * HOURS


def demand(model, arrivals_at: dict, *, is_open=ALWAYS, aht=600.0, target=900.0, window_hours=1):
    arrivals = [0.0] * HOURS
    for hour, n in arrivals_at.items():
        arrivals[hour] = n
    return Demand(model=model, arrivals=tuple(shift_to_open(arrivals, is_open)), is_open=is_open, aht=aht,
                  target_seconds=target, max_occupancy=0.85, window_hours=window_hours)


def answered(d, seating):
    return d.answered_in_time(seating) / d.weekly_arrivals


def test_closed_hours_hand_their_arrivals_to_the_next_open_hour():
    is_open = tuple(9 <= h % 24 < 17 and h < 120 for h in range(HOURS))  # Mon–Fri 09–17
    shifted = shift_to_open([1.0] * HOURS, is_open)
    assert shifted[9] == 7 + 24 + 24 + 9 + 1  # Friday evening, the weekend, Monday night, and 09:00
    assert shifted[24 + 9] == 7 + 9 + 1  # Monday 17–24, Tuesday 00–09, and 09:00
    assert shifted[4 * 24 + 9] == 17
    assert sum(shifted) == HOURS and shifted[10] == 1 and shifted[3] == 0


def test_workload_spreads_a_window_of_work_and_erlang_staffs_each_hour():
    work = demand(WORKLOAD, {10: 40}, window_hours=4)  # 40 × 600 s = 6.67 h of work in a 4 h window
    assert work.required()[10:15] == [2, 2, 2, 2, 0]  # ceil(24000 ÷ (4 × 3600 × 0.85)) = 2
    erlang = demand(ERLANG_C, {10: 15})  # 2.5 Erlangs
    seats = erlang.required()
    assert seats[10] == 4 and sum(seats) == 4
    assert service_level(4, 2.5, 600, 900) >= 0.8 > service_level(3, 2.5, 600, 900)


def test_an_erlang_hour_gets_the_seats_that_answer_anyone_at_once():
    d = demand(ERLANG_C, {10: 15})  # 2.5 Erlangs: 1 or 2 seats answer nobody in time (the queue grows)
    bought = buy([d], [1.0], [[0] * HOURS], 10.0)
    assert bought.seats[0][10] >= 3 and answered(d, bought.seats[0]) > 0.8
    assert buy([d], [1.0], [[0] * HOURS], 2.0).seat_hours == 0  # a step it cannot pay ends the search


def test_money_goes_where_it_answers_the_most_per_euro():
    busy, quiet = demand(WORKLOAD, {10: 30}), demand(WORKLOAD, {20: 3})
    bought = buy([busy, quiet], [1.0, 1.0], [[0] * HOURS] * 2, 1.0)
    assert bought.seats[0][10] == 1 and bought.seat_hours == 1
    # One seat, one hour, at 85 %: 3060 s of 30 × 600 s of work.
    assert answered(busy, bought.seats[0]) == pytest.approx(3060 / 18000)
    dearer = buy([busy, quiet], [20.0, 1.0], [[0] * HOURS] * 2, 1.0)
    assert dearer.seats[1][20] == 1 and dearer.seats[0][10] == 0  # 30 contacts at 20 × the price lose to 3


def test_floors_come_first_then_the_busiest_hours():
    d = demand(WORKLOAD, {10: 30})
    floor = [[1 if h in (3, 10) else 0 for h in range(HOURS)]]
    assert buy([d], [1.0], floor, 1.0).seats[0][10] == 1  # the floor seat with contacts first
    two = buy([d], [1.0], floor, 2.0)
    assert (two.seats[0][3], two.seats[0][10], two.floor_cost) == (1, 1, 2.0)


def test_more_money_never_buys_less():
    demands = [demand(ERLANG_C, {h: 3 + (h % 7) for h in range(0, HOURS, 5)}),
               demand(WORKLOAD, {h: 10 for h in range(9, HOURS, 24)}, window_hours=4)]
    costs, floors = [2.0, 3.0], [[1] * HOURS, [0] * HOURS]
    previous, last = None, 0.0
    for budget in [0, 50, 168, 200, 260, 300, 400, 600, 1000, 5000]:
        bought = buy(demands, costs, floors, budget)
        assert bought.cost <= budget + 1e-9
        level = sum(d.answered_in_time(s) for d, s in zip(demands, bought.seats))
        assert level >= last - 1e-12
        if previous is not None:  # the same sequence of steps, stopped later
            assert all(a >= b for new, old in zip(bought.seats, previous) for a, b in zip(new, old))
        previous, last = bought.seats, level
    total = sum(d.weekly_arrivals for d in demands)
    assert last / total > 0.99
    assert math.isclose(buy(demands, costs, floors, 0).cost, 0)
