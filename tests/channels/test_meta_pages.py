"""Facebook Page, Messenger and Instagram deliveries read into inquiries (channels.md §1.3–1.6)."""
import datetime as dt

import pytest

from inquiry.channels.base import Rejected, StatusUpdate

from tests.channels.meta_samples import (
    IG, PAGE, account, adapter, dm, entry, feed_comment, hook, ig_comment, page_delivery, parse, wire,
)

UTC = dt.timezone.utc


@pytest.mark.parametrize("platform", ["facebook", "messenger"])
def test_messenger_text_message(platform):
    parsed = parse(platform, page_delivery(entry(dm())))
    assert parsed.problems == [] and parsed.ignored == 0
    [message] = parsed.messages
    assert message.external_message_id == "m_ExAmPlEmId0001"
    assert message.sender_external_id == "7100000000000042" and message.sender_display_name is None
    assert message.conversation_key == f"{PAGE}:7100000000000042"
    assert message.sent_at == dt.datetime(2024, 11, 12, 8, 26, 40, 123000, tzinfo=UTC)  # epoch ms
    assert message.text.startswith("How do I report a fake charity")


def test_facebook_feed_comment():
    parsed = parse("facebook", page_delivery(entry(feed_comment(), key="changes", time=1731400200)))
    [comment] = parsed.messages
    assert comment.external_message_id == "5550000000000001_8880000000000007"
    assert comment.conversation_key == "902000000000001_5550000000000001"  # the post is the thread
    assert (comment.sender_external_id, comment.sender_display_name) == ("3300000000000009", "Ana Example")
    assert comment.sent_at == dt.datetime.fromtimestamp(1731400199, UTC)  # epoch seconds
    assert comment.reply_to_external_id is None  # top-level: its parent is the post
    assert comment.text == "Which ministry runs the disarmament campaign mentioned here?"


def test_facebook_reply_to_a_comment_names_its_parent_and_keeps_the_post_thread():
    change = feed_comment(comment_id="555_999", parent="5550000000000001_8880000000000007", photo="https://scontent.example/p.jpg")
    [comment] = parse("facebook", page_delivery(entry(change, key="changes"))).messages
    assert comment.reply_to_external_id == "5550000000000001_8880000000000007"
    assert comment.conversation_key == "902000000000001_5550000000000001"
    assert [(a.kind, a.platform_ref) for a in comment.attachments] == [("photo", "https://scontent.example/p.jpg")]


def test_page_commenting_on_itself_removals_and_reactions_are_ignored():
    changes = [
        feed_comment(sender=PAGE, name="Our Page"),
        feed_comment(verb="remove"),
        {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "1_2", "from": {"id": "3"}, "reaction_type": "like"}},
        {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": f"{PAGE}_77", "from": {"id": PAGE}, "message": "Our news"}},
    ]
    parsed = parse("facebook", page_delivery(entry(*changes, key="changes")))
    assert parsed.messages == [] and parsed.ignored == 4 and parsed.problems == []


def test_visitor_post_on_the_page_is_an_inquiry():
    change = {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": f"{PAGE}_4242", "created_time": 1731400000,
                                         "from": {"id": "3300000000000010", "name": "Visitor"}, "message": "Is the office open on Friday?"}}
    [post] = parse("facebook", page_delivery(entry(change, key="changes"))).messages
    assert post.external_message_id == post.conversation_key == f"{PAGE}_4242"


def test_edited_comment_replaces_the_text_and_every_edit_is_a_new_delivery():
    facebook, acct = adapter("facebook"), account("facebook")
    first = page_delivery(entry(feed_comment(verb="edited", text="Wich ministry?"), key="changes"))
    second = page_delivery(entry(feed_comment(verb="edited", text="Which ministry?"), key="changes"))
    [edit] = facebook.parse(acct, hook(first)).messages
    assert edit.is_edit and edit.external_message_id == "5550000000000001_8880000000000007"
    added = facebook.delivery_key(acct, hook(page_delivery(entry(feed_comment(), key="changes"))))
    keys = {facebook.delivery_key(acct, hook(first)), facebook.delivery_key(acct, hook(second)), added}
    assert len(keys) == 3 and added == "comment:5550000000000001_8880000000000007:add"


def test_echoes_of_our_replies_and_non_message_events_are_ignored():
    events = [
        dm(mid="m_echo", sender=PAGE, page="7100000000000042", is_echo=True, app_id=1234),
        {"sender": {"id": "7100000000000042"}, "recipient": {"id": PAGE}, "timestamp": 1731400000999, "read": {"watermark": 1731400000000}},
        {"sender": {"id": "7100000000000042"}, "recipient": {"id": PAGE}, "timestamp": 1731400001000,
         "reaction": {"mid": "m_1", "action": "react", "emoji": "👍"}},
        {"sender": {"id": "7100000000000042"}, "recipient": {"id": PAGE}, "timestamp": 1731400001000,
         "postback": {"title": "Get started", "payload": "START"}},
    ]
    parsed = parse("messenger", page_delivery(entry(*events)))
    assert parsed.messages == [] and parsed.ignored == 4 and parsed.problems == []


def test_delivery_receipts_become_status_updates():
    event = {"sender": {"id": "7100000000000042"}, "recipient": {"id": PAGE}, "timestamp": 1731400002000,
             "delivery": {"mids": ["m_ours_1", "m_ours_2"], "watermark": 1731400001500}}
    parsed = parse("messenger", page_delivery(entry(event)))
    at = dt.datetime(2024, 11, 12, 8, 26, 41, 500000, tzinfo=UTC)
    assert parsed.statuses == [StatusUpdate("m_ours_1", "delivered", at), StatusUpdate("m_ours_2", "delivered", at)]


def test_batch_of_three_entries_with_one_broken_event_keeps_the_others():
    entries = [
        entry(dm(mid="m_1", sender="71"), dm(mid="m_2", sender="72"), dm(mid="m_3", sender="73")),
        entry(dm(mid="m_4", sender="74"), {"sender": {"id": "75"}, "recipient": {"id": PAGE}, "timestamp": 1,
                                           "message": {"text": "no mid at all"}}, dm(mid="m_6", sender="76")),
        entry(dm(mid="m_7", sender="77"), dm(mid="m_8", sender="78", text="¿Dónde denuncio un fraude?"),
              {"sender": {"id": "79"}, "recipient": {"id": PAGE}, "timestamp": 1, "read": {"watermark": 1}}),
    ]
    parsed = parse("messenger", page_delivery(*entries))
    assert [m.external_message_id for m in parsed.messages] == ["m_1", "m_2", "m_3", "m_4", "m_6", "m_7", "m_8"]
    assert len(parsed.problems) == 1 and "entry 1 messaging 1" in parsed.problems[0]
    assert parsed.ignored == 1


def test_non_list_or_non_object_elements_are_problems_not_crashes():
    body = {"object": "page", "entry": [7, {"id": PAGE, "messaging": "nope"}, entry(dm(mid="m_ok"))]}
    parsed = parse("facebook", body)
    assert [m.external_message_id for m in parsed.messages] == ["m_ok"] and len(parsed.problems) == 2


def test_standby_events_are_taken_too():
    [message] = parse("messenger", page_delivery(entry(dm(mid="m_standby"), key="standby"))).messages
    assert message.external_message_id == "m_standby"


def test_attachments_reply_to_and_message_edits():
    attachment = dm(mid="m_photo", text=None, attachments=[{"type": "image", "payload": {"url": "https://cdn.example/x.jpg"}}],
                    reply_to={"mid": "m_earlier"})
    edit = {"sender": {"id": "7100000000000042"}, "recipient": {"id": PAGE}, "timestamp": 1731400009000,
            "message_edit": {"mid": "m_ExAmPlEmId0001", "text": "How do I report a fake charity?", "num_edit": 1}}
    photo, edited = parse("messenger", page_delivery(entry(attachment, edit))).messages
    assert photo.text == "" and [(a.kind, a.platform_ref) for a in photo.attachments] == [("image", "https://cdn.example/x.jpg")]
    assert photo.reply_to_external_id == "m_earlier"
    assert edited.is_edit and edited.external_message_id == "m_ExAmPlEmId0001" and edited.text == "How do I report a fake charity?"


def test_ids_beyond_2_to_the_53_stay_exact():
    body = wire(page_delivery(entry(dm())))
    body = body.replace(b'"7100000000000042"', b"71000000000000000042123")  # a bare JSON number
    [message] = adapter("messenger").parse(account("messenger"), hook(body)).messages
    assert message.sender_external_id == "71000000000000000042123"


def test_instagram_dm():
    payload = page_delivery(entry(dm(mid="aWdfZAExAmPlE", text="Is the road-safety webinar recorded?", sender="6420000000000013",
                                     page=IG, timestamp=1731400100555), page=IG), obj="instagram")
    [message] = parse("instagram", payload).messages
    assert message.conversation_key == f"{IG}:6420000000000013" and message.external_message_id == "aWdfZAExAmPlE"
    assert message.sent_at == dt.datetime(2024, 11, 12, 8, 28, 20, 555000, tzinfo=UTC)


def test_instagram_dashboard_test_event_in_changes_format_with_seconds():
    test_event = {"field": "messages", "value": dm(mid="random_mid", text="random_text", sender="12334", page="23245", timestamp=1527459824)}
    [message] = parse("instagram", page_delivery(entry(test_event, page="0", key="changes"), obj="instagram")).messages
    assert message.conversation_key == "23245:12334"
    assert message.sent_at == dt.datetime.fromtimestamp(1527459824, UTC)  # seconds, told apart by magnitude


def test_instagram_comment_and_our_own_reply():
    ours = ig_comment(comment_id="17990000000000999", sender=IG, text="Thanks, we will DM you")
    parsed = parse("instagram", page_delivery(entry(ig_comment(), ours, page=IG, time=1731400300, key="changes"), obj="instagram"))
    [comment] = parsed.messages
    assert parsed.ignored == 1
    assert comment.external_message_id == "17990000000000123" and comment.conversation_key == "18000000000000456"
    assert (comment.sender_external_id, comment.sender_display_name) == ("6420000000000013", "example.reporter")
    assert comment.sent_at == dt.datetime.fromtimestamp(1731400300, UTC)


@pytest.mark.parametrize("platform, obj", [("facebook", "instagram"), ("messenger", "whatsapp_business_account"),
                                           ("instagram", "page")])
def test_an_object_meta_does_not_send_to_this_product_is_400(platform, obj):
    with pytest.raises(Rejected) as refused:
        parse(platform, page_delivery(entry(dm()), obj=obj))
    assert refused.value.status == 400


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"object":"page"}', b'{"object":"page","entry":{}}', b"[" * 100000])
def test_bodies_that_are_not_meta_envelopes_are_400(body):
    with pytest.raises(Rejected) as refused:
        adapter("facebook").parse(account("facebook"), hook(body))
    assert refused.value.status == 400


def test_delivery_key_is_the_event_ids_whatever_their_order():
    messenger, acct = adapter("messenger"), account("messenger")
    one = messenger.delivery_key(acct, hook(page_delivery(entry(dm(mid="m_1")))))
    assert one == "mid:m_1"
    forward = messenger.delivery_key(acct, hook(page_delivery(entry(dm(mid="m_1"), dm(mid="m_2")), entry(dm(mid="m_3"), time=5))))
    backward = messenger.delivery_key(acct, hook(page_delivery(entry(dm(mid="m_3")), entry(dm(mid="m_2"), dm(mid="m_1")))))
    assert forward == backward != one


def test_reply_rules_differ_between_dm_and_comment_threads():
    day = dt.timedelta(hours=24)
    assert adapter("facebook").reply_rules(f"{PAGE}:7100") == (2000, day)
    assert adapter("facebook").reply_rules("902_555") == (8000, None)
    assert adapter("instagram").reply_rules(f"{IG}:6420") == (1000, day)
    assert adapter("instagram").reply_rules("18000000000000456")[1] is None
