"""Redaction, without an app: what is personal goes, what is not (dates, references, amounts,
order numbers) stays."""
import pytest

from inquiry.privacy.redact import iban_ok, luhn_ok, redact


@pytest.mark.parametrize("text, expected", [
    # e-mail
    ("Write to jane.doe+desk@example.co.uk, thanks", "Write to [email], thanks"),
    ("Mail: lena.müller@beispiel.de", "Mail: [email]"),
    ("correo: JUAN_PEREZ@Correo.ES.", "correo: [email]."),
    # phones, international and national, in several languages
    ("Call me on +44 20 7946 0958.", "Call me on [phone]."),
    ("my number is (415) 555-2671", "my number is [phone]"),
    ("Ruf mich an: 030 1234567 oder 0171/2345678", "Ruf mich an: [phone] oder [phone]"),
    ("Appelez-moi au 06 12 34 56 78 svp", "Appelez-moi au [phone] svp"),
    ("Llámame al 612 34 56 78", "Llámame al [phone]"),
    ("telefone (11) 91234-5678", "telefone [phone]"),
    ("WhatsApp: +34 612 345 678", "WhatsApp: [phone]"),
    ("tel. 0031 20 123 4567", "tel. [phone]"),
    # payment cards: brand prefix and Luhn
    ("ma carte 4111 1111 1111 1111 a été débitée", "ma carte [card] a été débitée"),
    ("Card 5555-5555-5555-4444 charged twice", "Card [card] charged twice"),
    ("Amex 3782 822463 10005", "Amex [card]"),
    ("Karte 4012888888881881", "Karte [card]"),
    # IBANs: country length and mod 97
    ("Mi IBAN es ES91 2100 0418 4502 0005 1332, gracias", "Mi IBAN es [iban], gracias"),
    ("IBAN DE89370400440532013000 bitte", "IBAN [iban] bitte"),
    ("rekening NL91ABNA0417164300", "rekening [iban]"),
    ("GB82 WEST 1234 5698 7654 32 is mine", "[iban] is mine"),
    # identity documents next to the word that names them
    ("Reisepass C01X00T47, Personalausweis Nr. L01X00T47", "Reisepass [document], Personalausweis Nr. [document]"),
    ("my passport number is 123456789", "my passport number is [document]"),
    ("carte d'identité n° 880692310285", "carte d'identité n° [document]"),
    ("Mi pasaporte: PAA123456", "Mi pasaporte: [document]"),
    ("passaporto YA1234567 scaduto", "passaporto [document] scaduto"),
    ("паспорт 4510 123456", "паспорт [document]"),
    ("护照号码：E12345678", "护照号码：[document]"),
    ("ID card: AB-123456", "ID card: [document]"),
    # Spanish DNI and NIE carry a check letter: found without a keyword
    ("y mi DNI 12345678Z", "y mi DNI [document]"),
    ("soy 12345678Z", "soy [document]"),
    ("NIE X1234567L please", "NIE [document] please"),
])
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Ticket INQ-7K3M-Q9PX and INQ-2345-6789 are about the same event",
    "order number 1234567890123 placed on 2024-05-01 at 10:30",
    "Bestellnummer 4111111111111111 ist unterwegs",  # Luhn-valid, but said to be an order number
    "Commande n° 4012888888881881 expédiée",
    "invoice 2024/000123, amount $1,234,567.89",
    "Total 1.234,56 EUR, 1 500 000 people, version 10.2.3.4",
    "Meeting on 12.05.2024 from 9:00 to 17:30, or 5/1/24",
    "The webinar is at 2024-11-12T15:00:00+00:00",
    "My passport expired in 2023.",
    "passport renewal costs 75 euros",
    "tracking 1Z999AA10123456784",
    "Order 4839201 shipped",
    "12345678A is not a valid DNI",  # wrong check letter
    "an e-mail without domain: jane@",
    "Ich brauche einen Termin für das Seminar",
    "",
])
def test_what_is_not_personal_stays(text):
    assert redact(text) == text


def test_a_region_hint_finds_national_numbers_elsewhere_unknown():
    # A Japanese mobile number written nationally: found once Japanese or Japan is the hint.
    assert redact("電話 090-1234-5678 まで", language="ja") == "電話 [phone] まで"
    assert redact("call 090-1234-5678", region="JP") == "call [phone]"


def test_redacting_twice_changes_nothing_more():
    text = "Jane <jane@example.org>, +49 30 1234567, IBAN DE89 3704 0044 0532 0130 00, DNI 12345678Z"
    once = redact(text)
    assert once == "Jane <[email]>, [phone], IBAN [iban], DNI [document]"
    assert redact(once) == once


def test_none_is_empty_text():
    assert redact(None) == ""


def test_check_digits():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE88 3704 0044 0532 0130 00")
    assert not iban_ok("DE89 3704 0044 0532 0130")  # too short for Germany
