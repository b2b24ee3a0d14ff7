"""The staffing planner's settings (validated) and its results, as the CLI, the page and the CSV
show them. No database here: ``staffing.plan_staffing`` fills them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from inquiry.errors import Invalid
from inquiry.planning.checks import number, share, whole
from inquiry.planning.seats import Demand

WEEKS_PER_YEAR = 52  # a full-timer is paid every week; leave and sickness are in the shrinkage


@dataclass(frozen=True)
class PlanSettings:
    weeks: int = 6
    shrinkage: float = 0.30
    max_occupancy: float = 0.85
    service_level: float = 0.80
    patience: float | None = None  # seconds; None: Erlang C
    contracted_hours: float = 37.5
    coverage_seats: int = 1
    default_aht: float = 720.0  # seconds

    @classmethod
    def from_config(cls, config, **given) -> "PlanSettings":
        """The app's PLANNING_* settings, with ``given`` (not None) on top; Invalid if out of range."""
        values = {"weeks": config.get("PLANNING_WEEKS", 6), "shrinkage": config.get("PLANNING_SHRINKAGE", 0.3),
                  "max_occupancy": config.get("PLANNING_MAX_OCCUPANCY", 0.85),
                  "service_level": config.get("PLANNING_SERVICE_LEVEL", 0.8),
                  "patience": config.get("PLANNING_PATIENCE_SECONDS") or None,
                  "contracted_hours": config.get("PLANNING_CONTRACTED_HOURS", 37.5),
                  "coverage_seats": config.get("PLANNING_COVERAGE_SEATS", 1),
                  "default_aht": float(config.get("SLA_HANDLE_MINUTES", 12)) * 60}
        values.update({k: v for k, v in given.items() if v is not None})
        return cls.checked(**values)

    @classmethod
    def checked(cls, **values) -> "PlanSettings":
        try:
            weeks = whole("weeks", _int(values.get("weeks", 6)))
            if not 1 <= weeks <= 52:
                raise ValueError("weeks must be between 1 and 52")
            patience = values.get("patience")
            return cls(weeks=weeks, shrinkage=share("shrinkage", values.get("shrinkage", 0.3), allow_zero=True),
                       max_occupancy=share("max_occupancy", values.get("max_occupancy", 0.85), allow_one=True),
                       service_level=share("service_level", values.get("service_level", 0.8)),
                       patience=None if patience in (None, "", 0) else number("patience", patience, strict=True),
                       contracted_hours=number("contracted_hours", values.get("contracted_hours", 37.5), strict=True),
                       coverage_seats=whole("coverage_seats", _int(values.get("coverage_seats", 1))),
                       default_aht=number("default_aht", values.get("default_aht", 720.0), strict=True))
        except ValueError as error:
            raise Invalid(str(error), fields={str(error).split()[0]: [str(error)]}) from None

    @property
    def annual_hours(self) -> float:
        return self.contracted_hours * WEEKS_PER_YEAR


def _int(value):
    """Whole numbers from config text or numbers ("6", 6.0 → 6); anything else unchanged, to be refused."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class StaffingRow:
    queue: str
    queue_name: str
    language: str | None
    priority: str  # the queue's dominant priority, whose policy is planned
    target_minutes: float  # first response
    business_hours: bool
    model: str  # erlang_c | erlang_a | workload
    weekly_arrivals: float
    aht_seconds: float
    aht_source: str  # measured | default
    peak_agents: int
    peak_scheduled: int  # after shrinkage
    seat_hours: int  # a week, floor included
    floor_seat_hours: int  # added by the coverage floor
    fte: float
    hourly_rate: float
    annual_cost: float
    planned_attainment: float | None  # share answered within target at the plan's seats
    budget_attainment: float | None = None  # … at the seats the budget buys
    hourly_seats: list[int] = field(default_factory=list, repr=False)  # per hour-of-week
    demand: Demand | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("hourly_seats", "demand")}


@dataclass
class QueueBacktest:
    queue: str
    mape: float | None
    wape: float | None
    bias: float | None
    hours: int
    training_weeks: int | None
    note: str | None = None


@dataclass
class StaffingPlan:
    as_of: dt.datetime
    since: dt.datetime
    until: dt.datetime
    settings: PlanSettings
    currency: str
    rows: list[StaffingRow]
    backtests: list[QueueBacktest]
    annual_budget: float
    frontline_share: float
    notice: str | None = None
    budget_cost: float = 0.0  # what the seating the budget buys costs a year
    budget_seat_hours: int = 0  # a week
    floor_cost: float = 0.0  # a year, of the coverage floors alone
    budget_fte: float = 0.0

    @property
    def frontline_budget(self) -> float:
        return self.annual_budget * self.frontline_share

    @property
    def total_fte(self) -> float:
        return sum(r.fte for r in self.rows)

    @property
    def total_cost(self) -> float:
        return sum(r.annual_cost for r in self.rows)

    @property
    def weekly_arrivals(self) -> float:
        return sum(r.weekly_arrivals for r in self.rows)

    @property
    def headroom(self) -> float:
        """Frontline budget − planned cost: negative when the plan costs more than the budget."""
        return self.frontline_budget - self.total_cost

    def _weighted(self, name: str) -> float | None:
        weight = sum(r.weekly_arrivals for r in self.rows if getattr(r, name) is not None)
        if not weight:
            return None
        return sum(r.weekly_arrivals * getattr(r, name) for r in self.rows if getattr(r, name) is not None) / weight

    @property
    def planned_attainment(self) -> float | None:
        return self._weighted("planned_attainment")

    @property
    def budget_attainment(self) -> float | None:
        return self._weighted("budget_attainment")

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(), "since": self.since.isoformat(), "until": self.until.isoformat(),
            "settings": dataclasses.asdict(self.settings), "currency": self.currency, "notice": self.notice,
            "rows": [r.as_dict() for r in self.rows], "backtest": [dataclasses.asdict(b) for b in self.backtests],
            "totals": {"weekly_arrivals": self.weekly_arrivals, "fte": self.total_fte, "annual_cost": self.total_cost,
                       "seat_hours": sum(r.seat_hours for r in self.rows)},
            "budget": {"annual_budget": self.annual_budget, "frontline_share": self.frontline_share,
                       "frontline_budget": self.frontline_budget, "headroom": self.headroom,
                       "within_budget": self.headroom >= 0},
            "attainment": {"planned": self.planned_attainment, "at_budget": self.budget_attainment,
                           "budget_fte": self.budget_fte, "budget_seat_hours": self.budget_seat_hours,
                           "budget_cost": self.budget_cost, "floor_cost": self.floor_cost,
                           "budget_covers_floor": self.frontline_budget >= self.floor_cost},
        }
