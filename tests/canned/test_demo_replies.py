"""The demo's canned replies pass the same checks as anyone's and render fully in every language."""
from sqlalchemy import select

from inquiry.canned import services
from inquiry.canned.models import CannedReply
from inquiry.demo.canned import REPLIES, seed_canned_replies
from inquiry.extensions import db


def test_demo_replies_are_saved_through_the_service_and_fill_in_completely(app, make):
    supervisor = make.supervisor()
    assert seed_canned_replies(supervisor) == len(REPLIES) >= 6
    db.session.commit()
    replies = db.session.scalars(select(CannedReply)).all()
    assert all({"en", "fr", "es", "ar", "zh", "ru"} <= {v.language for v in r.variants} for r in replies)
    for language in ("en", "fr", "ar", "zh", "pt"):
        ticket = make.ticket(language=language, contact_name="Dana Reyes")
        offers = services.offer(ticket, make.agent(name="Amina Haddad"))
        assert len(offers) == len(REPLIES) and {o.language for o in offers} == {language}
        for offer in offers:
            assert "{" not in offer.body and "}" not in offer.body
            assert "Dana Reyes" in offer.body and "Amina Haddad" in offer.body
