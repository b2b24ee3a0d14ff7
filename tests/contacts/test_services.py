from sqlalchemy import select

from inquiry.contacts.models import Contact, Person
from inquiry.contacts.services import contact_key, link_contacts, upsert_contact


def test_contact_key_prefers_platform_id_then_email_then_phone():
    assert contact_key("telegram", external_id=" 123 ", email="a@b.org", phone=None) == "123"
    assert contact_key("web-form", external_id=None, email="Ana@Example.COM ", phone="+1 555") == "email:ana@example.com"
    assert contact_key("web-form", external_id=None, email=None, phone="+44 (0)7700 900123") == "phone:+4407700900123"
    assert contact_key("web-form", external_id=None, email=None, phone=None) is None


def test_upsert_finds_the_same_sender_and_fills_gaps(db):
    first = upsert_contact("viber", "v-1", display_name="Olu")
    db.session.commit()
    again = upsert_contact("viber", "v-1", phone="+234 800 000 0000", language="yo")
    db.session.commit()
    assert again.id == first.id and again.display_name == "Olu" and again.phone
    assert db.session.query(Contact).count() == 1


def test_linking_merges_people_across_platforms(db):
    a = upsert_contact("telegram", "t-1", display_name="Ana")
    b = upsert_contact("whatsapp", "w-1", display_name="Ana M.")
    c = upsert_contact("x", "x-1", display_name="ana_m")
    db.session.flush()
    link_contacts(a, b)
    link_contacts(c, upsert_contact("vk", "vk-1"))
    person = link_contacts(b, c)
    db.session.commit()
    assert {contact.platform for contact in person.contacts} == {"telegram", "whatsapp", "x", "vk"}
    assert db.session.scalars(select(Person)).all() == [person]
