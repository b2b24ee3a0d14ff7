"""The router report counts a tip it sent to whistleblowing on its topic alone, below its
thresholds, as not routed (as when such a tip went to triage), and a confident one as routed."""
import datetime as dt

from inquiry import taxonomy
from inquiry.reports.router_quality import override_rates

from tests.factories import confident
from tests.reports.conftest import unsure

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_a_low_confidence_tip_counts_as_not_routed(open_at):
    sure = open_at(NOW - dt.timedelta(days=1), confident("government", "complicit-organisations"))
    unsure_tip = open_at(NOW - dt.timedelta(days=1), unsure(topic="complicit-organisations"))
    assert {sure.queue.slug, unsure_tip.queue.slug} == {taxonomy.WHISTLEBLOWING_QUEUE}
    topic = {h.head: h for h in override_rates(NOW, 7).heads}["topic"]
    assert (topic.routed, topic.triaged) == (1, 1)
