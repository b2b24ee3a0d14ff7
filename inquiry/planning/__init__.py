"""Staffing planner maths: how many agents an interval needs, and how many arrivals to expect.

Pure functions on plain numbers (no app, no database), so the CLI, the reports and the tests all
call the same code:

- ``erlang``: Erlang C (and Erlang A when callers abandon) for queues whose target is minutes;
- ``workload``: arrivals × handle time ÷ occupancy for queues whose target is hours, and the
  full-time equivalents a covered seat costs once shrinkage is paid;
- ``forecast``: arrivals per hour-of-week from recent weeks, and its backtest error;
- ``seats`` and ``budget``: seats per hour of the week for one queue × language, and what a
  budget buys when spent where it answers the most contacts in time.

With the app: ``staffing.plan_staffing`` plans the desk from its database (``history``) into the
results of ``plan``; ``views`` shows them at /planning/ and ``cli`` as ``inquiry plan staffing``.
"""
