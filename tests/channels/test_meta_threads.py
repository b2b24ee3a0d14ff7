"""Threads deliveries: replies and mentions in Threads' own envelope (channels.md §1.7)."""
import datetime as dt

import pytest

from inquiry.channels.base import Rejected

from tests.channels.meta_samples import account, adapter, hook, parse, threads_delivery


def test_reply_to_our_post():
    parsed = parse("threads", threads_delivery())
    [reply] = parsed.messages
    assert reply.external_message_id == "18100000000000009"
    assert reply.sender_external_id == reply.sender_display_name == "example_threads_user"
    assert reply.conversation_key == "18100000000000001" and reply.reply_to_external_id == "18100000000000001"
    assert reply.sent_at == dt.datetime(2024, 11, 12, 8, 33, 20, tzinfo=dt.timezone.utc)  # ISO with +0000
    assert reply.text == "Are travellers covered by the new advisory?"


def test_mention_without_a_root_post_is_its_own_thread():
    body = threads_delivery(field="mentions", reply_id="181000000000000555")
    del body["values"]["value"]["root_post"], body["values"]["value"]["replied_to"]
    [mention] = parse("threads", body).messages
    assert mention.conversation_key == "181000000000000555"


def test_our_own_replies_and_publishes_are_ignored():
    ours = parse("threads", threads_delivery(username="our_account"))
    published = parse("threads", threads_delivery(field="publish"))
    assert ours.messages == published.messages == [] and ours.ignored == published.ignored == 1


def test_a_list_of_values_with_one_broken_element():
    body = threads_delivery()
    good = body["values"]
    body["values"] = [good, {"field": "replies", "value": {"text": "no id"}}, dict(good, value=dict(good["value"], id="18100000000000010"))]
    parsed = parse("threads", body)
    assert [m.external_message_id for m in parsed.messages] == ["18100000000000009", "18100000000000010"]
    assert len(parsed.problems) == 1


def test_delivery_key_is_the_reply_id():
    assert adapter("threads").delivery_key(account("threads"), hook(threads_delivery())) == "threads:replies:18100000000000009"


@pytest.mark.parametrize("body", [{"object": "page", "entry": []}, [], {"app_id": "1"}])
def test_not_a_threads_body_is_400(body):
    with pytest.raises(Rejected) as refused:
        parse("threads", body)
    assert refused.value.status == 400
