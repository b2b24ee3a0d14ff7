"""WhatsApp Cloud API deliveries: messages, captions, interactive replies, statuses, BSUIDs."""
import datetime as dt

import pytest

from inquiry.channels.base import StatusUpdate

from tests.channels.meta_samples import PHONE_ID, account, adapter, hook, parse, wa_delivery, wa_message, wa_status

UTC = dt.timezone.utc


def test_text_message():
    parsed = parse("whatsapp", wa_delivery([wa_message()]))
    [message] = parsed.messages
    assert message.external_message_id == "wamid.EXAMPLE0000000000000000000001"
    assert message.sender_external_id == "447700900123" and message.sender_display_name == "Sam Example"
    assert message.sender_phone == "+447700900123"
    assert message.conversation_key == f"{PHONE_ID}:447700900123"
    assert message.sent_at == dt.datetime.fromtimestamp(1731400500, UTC)  # seconds, as a string
    assert message.text.startswith("I was offered a job abroad")


def test_a_delivery_with_a_message_and_a_status():
    parsed = parse("whatsapp", wa_delivery([wa_message()], [wa_status()]))
    assert [m.external_message_id for m in parsed.messages] == ["wamid.EXAMPLE0000000000000000000001"]
    assert parsed.statuses == [StatusUpdate("wamid.EXAMPLE0000000000000000000002", "delivered",
                                            dt.datetime.fromtimestamp(1731400600, UTC))]
    assert parsed.problems == [] and parsed.ignored == 0


def test_failed_status_carries_the_error_and_unknown_statuses_are_ignored():
    failed = wa_status(wamid="wamid.F", status="failed", errors=[
        {"code": 131047, "title": "Re-engagement message", "error_data": {"details": "More than 24 hours have passed"}}])
    parsed = parse("whatsapp", wa_delivery(statuses=[failed, wa_status(wamid="wamid.D", status="deleted")]))
    [status] = parsed.statuses
    assert status.status == "failed" and status.error == "131047 Re-engagement message More than 24 hours have passed"
    assert parsed.ignored == 1


def test_errors_without_a_message_are_reported_as_problems():
    parsed = parse("whatsapp", wa_delivery(errors=[{"code": 131000, "title": "Something went wrong"}]))
    assert parsed.problems == ["WhatsApp reported 131000 Something went wrong"]


@pytest.mark.parametrize("fields, text, kinds", [
    ({"type": "image", "image": {"id": "9001", "mime_type": "image/jpeg", "sha256": "x", "caption": "Is this poster real?"}},
     "Is this poster real?", [("image", "9001", "image/jpeg")]),
    ({"type": "document", "document": {"id": "9002", "mime_type": "application/pdf", "filename": "scan.pdf"}},
     "", [("file", "9002", "application/pdf")]),
    ({"type": "audio", "audio": {"id": "9003", "mime_type": "audio/ogg"}}, "", [("audio", "9003", "audio/ogg")]),
    ({"type": "button", "button": {"text": "Talk to an officer", "payload": "OFFICER"}}, "Talk to an officer", []),
    ({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Report fraud"}}},
     "Report fraud", []),
    ({"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "r2", "title": "Cybercrime",
                                                                                   "description": "Scams, hacking"}}},
     "Cybercrime\nScams, hacking", []),
])
def test_captions_buttons_and_interactive_replies_become_text(fields, text, kinds):
    message = wa_message(**fields)
    del message["text"]
    [inbound] = parse("whatsapp", wa_delivery([message])).messages
    assert inbound.text == text
    assert [(a.kind, a.platform_ref, a.mime) for a in inbound.attachments] == kinds


def test_reactions_and_unsupported_types_are_ignored():
    reaction = wa_message(wamid="wamid.R", type="reaction", reaction={"message_id": "wamid.X", "emoji": "👍"})
    unsupported = wa_message(wamid="wamid.U", type="unsupported", errors=[{"code": 131051}])
    parsed = parse("whatsapp", wa_delivery([reaction, unsupported]))
    assert parsed.messages == [] and parsed.ignored == 2


def test_reply_context_is_kept():
    [message] = parse("whatsapp", wa_delivery([wa_message(context={"from": "15550001111", "id": "wamid.OURS"})])).messages
    assert message.reply_to_external_id == "wamid.OURS"


def test_the_business_scoped_user_id_is_preferred_to_the_phone_number():
    contacts = [{"profile": {"name": "Sam Example", "username": "@sam"}, "wa_id": "447700900123", "user_id": "GB.1349120865"}]
    [message] = parse("whatsapp", wa_delivery([wa_message()], contacts=contacts)).messages
    assert message.sender_external_id == "GB.1349120865" and message.sender_phone == "+447700900123"
    assert message.conversation_key == f"{PHONE_ID}:GB.1349120865"


def test_a_username_user_without_a_phone_number_is_keyed_on_the_bsuid():
    message = wa_message(from_user_id="US.13491208655302741918")
    del message["from"]
    contacts = [{"profile": {"username": "@jane"}, "user_id": "US.13491208655302741918"}]
    [inbound] = parse("whatsapp", wa_delivery([message], contacts=contacts)).messages
    assert inbound.sender_external_id == "US.13491208655302741918" and inbound.sender_phone is None
    assert inbound.sender_display_name == "@jane"


def test_contacts_are_matched_to_their_messages():
    contacts = [{"profile": {"name": "Ana"}, "wa_id": "111"}, {"profile": {"name": "Ben"}, "wa_id": "222"}]
    messages = [wa_message(wamid="wamid.B", sender="222"), wa_message(wamid="wamid.A", sender="111")]
    parsed = parse("whatsapp", wa_delivery(messages, contacts=contacts))
    assert [(m.sender_external_id, m.sender_display_name) for m in parsed.messages] == [("222", "Ben"), ("111", "Ana")]


def test_one_broken_message_does_not_lose_the_others_nor_the_statuses():
    broken = {"from": "447700900123", "timestamp": "1731400500", "type": "text", "text": {"body": "no id"}}
    also_broken = wa_message(wamid="wamid.T", text=["not", "a", "string"])
    parsed = parse("whatsapp", wa_delivery([wa_message(wamid="wamid.1"), broken, also_broken, wa_message(wamid="wamid.4")],
                                           [wa_status()]))
    assert [m.external_message_id for m in parsed.messages] == ["wamid.1", "wamid.4"]
    assert len(parsed.problems) == 2 and len(parsed.statuses) == 1


def test_other_fields_are_acknowledged_and_ignored():
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]}
    parsed = parse("whatsapp", body)
    assert parsed.messages == [] and parsed.ignored == 1


def test_delivery_key_names_the_wamids_and_statuses():
    whatsapp, acct = adapter("whatsapp"), account("whatsapp")
    assert whatsapp.delivery_key(acct, hook(wa_delivery([wa_message()]))) == "wamid:wamid.EXAMPLE0000000000000000000001"
    delivered = whatsapp.delivery_key(acct, hook(wa_delivery(statuses=[wa_status()])))
    read = whatsapp.delivery_key(acct, hook(wa_delivery(statuses=[wa_status(status="read")])))
    assert delivered != read and delivered.startswith("status:")


def test_a_broken_change_does_not_lose_its_siblings():
    body = wa_delivery([wa_message()])
    body["entry"][0]["changes"].insert(0, {"field": "messages", "value": "garbage"})
    body["entry"].insert(0, "not an entry")
    parsed = parse("whatsapp", body)
    assert [m.external_message_id for m in parsed.messages] == ["wamid.EXAMPLE0000000000000000000001"]
    assert len(parsed.problems) == 2
