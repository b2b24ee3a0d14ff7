"""Replacing personal data in free text with placeholders: [email], [phone], [card], [iban], [document].

Pure (no app, no database), so it runs anywhere text leaves the desk or is kept for another
purpose: report exports, training examples, anonymised tickets. Each detector prefers missing a
number to eating one that is not personal: cards and IBANs must pass their check digits, phone
numbers must be valid for a plausible region (``phonenumbers``), document numbers must follow
a word that names the document. Ticket references, dates, times and amounts are never touched,
and a number right after "order", "invoice", "booking"... is taken for what it says it is.

``redact(redact(x)) == redact(x)``: the placeholders contain nothing a detector finds.
"""
from __future__ import annotations

import functools
import re
from typing import NamedTuple

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

EMAIL, PHONE, CARD, IBAN, DOCUMENT = "email", "phone", "card", "iban", "document"
# When two finds overlap, the earlier-starting one wins; at the same start, this order decides.
_RANK = {EMAIL: 0, IBAN: 1, CARD: 2, DOCUMENT: 3, PHONE: 4}

# Regions tried for numbers written without "+": those of the hint first, then these.
DEFAULT_REGIONS = ("GB", "US", "DE", "FR", "ES", "IT", "NL", "PT", "BR", "MX", "IN", "PL")
LANGUAGE_REGIONS = {
    "en": ("GB", "US", "IE", "AU", "CA", "IN"), "de": ("DE", "AT", "CH"), "fr": ("FR", "BE", "CH", "CA"),
    "es": ("ES", "MX", "AR", "CO", "CL", "PE"), "pt": ("PT", "BR"), "it": ("IT", "CH"), "nl": ("NL", "BE"),
    "pl": ("PL",), "tr": ("TR",), "ru": ("RU",), "uk": ("UA",), "ar": ("SA", "AE", "EG", "MA"),
    "zh": ("CN", "TW", "HK"), "ja": ("JP",), "ko": ("KR",), "sv": ("SE",), "da": ("DK",), "no": ("NO",),
    "fi": ("FI",), "el": ("GR",), "cs": ("CZ",), "ro": ("RO",), "hu": ("HU",), "hi": ("IN",), "id": ("ID",),
}


class Found(NamedTuple):
    start: int
    end: int
    kind: str


# E-mail: a pragmatic address (Unicode letters allowed), TLD of letters.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# What is never personal data here, and shields any find that overlaps it.
_PROTECTED = re.compile(
    r"\bINQ-?[0-9A-Z]{4}-?[0-9A-Z]{4}\b"  # ticket references
    r"|(?<![\d.:/-])\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?(?![\d.:/-]?\d)"  # 2024-05-01
    r"|(?<![\d.:/-])\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d.:/-]?\d)"  # 01.05.2024, 5/1/24
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)",  # 10:30
    re.IGNORECASE,
)

# Words after which a number is an order, invoice or booking number, not a card or a phone.
_NOT_PERSONAL_CONTEXT = re.compile(
    r"(?:order|invoice|booking|reservation|tracking|shipment|parcel|case|ticket|ref(?:erence)?|item|sku|"
    r"article|product|model|serial|version|bestell\w*|rechnung\w*|auftrag\w*|buchung\w*|sendung\w*|"
    r"aktenzeichen|pedido|factura|reserva|albar[aá]n|commande|facture|r[ée]servation|colis|ordine|fattura|"
    r"prenotazione|bestelling|factuur|boeking|zam[oó]wieni\w*|faktur\w*|encomenda|fatura|заказ\w*|счет|счёт|"
    r"订单|注文)[^\w\n]{0,3}(?:\w{1,10}[^\w\n]{1,3}){0,2}$",
    re.IGNORECASE,
)

# Cards: 13-19 digits in groups of spaces or dashes, with a brand's prefix and a valid Luhn digit.
_CARD = re.compile(r"(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d]|[.,-]\d)")
_CARD_PREFIX = re.compile(
    r"^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|30[0-5]|3[689]|6011|64[4-9]|65|62|35(?:2[89]|[3-8]\d)|"
    r"50|5[6-8]|6\d|220[0-4])"
)

# IBAN lengths by country (ISO 13616 registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?=[ ]?[A-Za-z0-9])")

# Words naming an identity document, in the languages the desk hears most.
_DOCUMENT_WORDS = (
    r"passport|ID[ -]?card|identity[ -]card|identity[ -]document|national[ -]ID|ID[ -]?(?:number|no\.?)|"
    r"driv(?:ing|er'?s)[ -]licen[cs]e|social[ -]security[ -]number|SSN|national[ -]insurance[ -]number|"
    r"NI[ -]number|residence[ -]permit|"
    r"pasaporte|DNI|NIE|NIF|documento[ -](?:nacional[ -]de[ -])?identidad|c[ée]dula|carn[eé]t?[ -]de[ -]conducir|"
    r"CURP|RUT|"
    r"passeport|carte[ -](?:nationale[ -])?d['’ ]identit[ée]|CNI|num[ée]ro[ -]de[ -]s[ée]curit[ée][ -]sociale|"
    r"permis[ -]de[ -]conduire|titre[ -]de[ -]s[ée]jour|"
    r"Reisepass(?:nummer)?|Pass-?Nr|Passnummer|Personalausweis(?:nummer)?|Ausweis(?:nummer)?|F[üu]hrerschein\w*|"
    r"Steuer-?ID|Sozialversicherungsnummer|Aufenthaltstitel|"
    r"passaporto|carta[ -]d['’ ]identit[àa]|codice[ -]fiscale|patente|"
    r"passaporte|bilhete[ -]de[ -]identidade|cart[ãa]o[ -]de[ -]cidad[ãa]o|CPF|RG|carteira[ -]de[ -]identidade|"
    r"paspoort|identiteitskaart|ID-kaart|BSN|rijbewijs|"
    r"paszport\w*|dow[óo]d[ -]osobist\w*|PESEL|"
    r"pasaport|kimlik(?:[ -]no)?|"
    r"паспорт\w*|удостоверени\w*|"
    r"جواز[ -]السفر|جواز[ -]سفر|بطاقة[ -]الهوية|الهوية|"
    r"护照|身份证|パスポート|旅券|身分証|マイナンバー"
)
_DOCUMENT = re.compile(
    r"(?<![A-Za-zÀ-ɏ])(?:" + _DOCUMENT_WORDS + r")(?![A-Za-zÀ-ɏ])"
    # Up to 30 characters of "number", "Nr.", ":", "is"... but not past the end of a sentence.
    r"(?P<fill>(?:(?:nr|no|num|nro|núm|n)\.\s*|(?!\.\s)[^\d\n!?。！？]){0,30}?)"
    # The number: digits with letters, in groups; "AB 123456" keeps its capital prefix.
    r"(?<![A-Za-z0-9])(?P<number>(?-i:[A-Z]{1,3}[ -])?[A-Za-z]{0,3}\d[A-Za-z0-9]*(?:[ -][A-Za-z0-9]*\d[A-Za-z0-9]*)*)"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Spanish DNI and NIE carry a check letter: valid ones are found without a keyword.
_DNI = re.compile(r"(?<![A-Za-z0-9])([XYZxyz]?)(\d{7,8})[ -]?([A-Za-z])(?![A-Za-z0-9])")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

_PHONE_HINT = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6,}")


def redact(text: str | None, *, language: str | None = None, region: str | None = None) -> str:
    """``text`` with e-mail addresses, phone numbers, payment cards, IBANs and identity document
    numbers replaced by placeholders. ``language`` (ISO 639-1) and ``region`` (ISO 3166 alpha-2)
    say which national phone formats to try first."""
    if not text:
        return text or ""
    found = find(text, language=language, region=region)
    if not found:
        return text
    out, last = [], 0
    for item in found:
        out.append(text[last:item.start])
        out.append(f"[{item.kind}]")
        last = item.end
    out.append(text[last:])
    return "".join(out)


def find(text: str, *, language: str | None = None, region: str | None = None) -> list[Found]:
    """The personal data in ``text``, in order, none overlapping another."""
    protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
    candidates = [*_emails(text), *_ibans(text), *_cards(text), *_documents(text)]
    if _PHONE_HINT.search(text):
        candidates += _phones(text, regions(language, region), protected)
    chosen: list[Found] = []
    for item in sorted(candidates, key=lambda f: (f.start, _RANK[f.kind], -f.end)):
        if any(item.start < end and start < item.end for start, end in protected):
            continue
        if chosen and item.start < chosen[-1].end:
            continue
        chosen.append(item)
    return chosen


def regions(language: str | None = None, region: str | None = None) -> list[str]:
    """Phone regions to try, most likely first."""
    ordered = [region.upper()] if region else []
    ordered += LANGUAGE_REGIONS.get((language or "").split("-")[0].lower(), ())
    ordered += DEFAULT_REGIONS
    return list(dict.fromkeys(r for r in ordered if r in phonenumbers.SUPPORTED_REGIONS))


def _emails(text: str):
    for m in _EMAIL.finditer(text):
        yield Found(m.start(), m.end(), EMAIL)


def _after_other_number_word(text: str, start: int) -> bool:
    return bool(_NOT_PERSONAL_CONTEXT.search(text[max(0, start - 40):start]))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _cards(text: str):
    for m in _CARD.finditer(text):
        raw = m.group()
        digits = raw.replace(" ", "").replace("-", "")
        separators = set(ch for ch in raw if not ch.isdigit())
        if len(separators) > 1 or len(set(digits)) == 1 or not _CARD_PREFIX.match(digits):
            continue
        if luhn_ok(digits) and not _after_other_number_word(text, m.start()):
            yield Found(m.start(), m.end(), CARD)


def iban_ok(iban: str) -> bool:
    """ISO 13616: the right length for its country, and mod 97 of the rearranged number is 1."""
    iban = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum() or not iban.isascii():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _ibans(text: str):
    for m in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(m.group(1).upper())
        if length is None:
            continue
        # Walk the characters, allowing one space between groups, until the country's length.
        chars, i = [], m.start()
        while i < len(text) and len(chars) < length:
            ch = text[i]
            if ch.isascii() and ch.isalnum():
                chars.append(ch)
            elif not (ch == " " and chars and i + 1 < len(text) and text[i + 1] != " "):
                break
            i += 1
        if len(chars) == length and not (i < len(text) and text[i].isascii() and text[i].isalnum()):
            if iban_ok("".join(chars)):
                yield Found(m.start(), i, IBAN)


def _documents(text: str):
    for m in _DOCUMENT.finditer(text):
        number = m.group("number")
        if sum(ch.isdigit() for ch in number) >= 2 and len(re.sub(r"[ -]", "", number)) >= 5:
            if not _after_other_number_word(text, m.start("number")):
                yield Found(m.start("number"), m.end("number"), DOCUMENT)
    for m in _DNI.finditer(text):
        prefix, digits, letter = m.groups()
        value = int(str("XYZ".index(prefix.upper())) + digits if prefix else digits)
        if (len(digits) == 8) != bool(prefix) and _DNI_LETTERS[value % 23] == letter.upper():
            yield Found(m.start(), m.end(), DOCUMENT)


def _phones(text: str, tried: list[str], protected: list[tuple[int, int]]) -> list[Found]:
    """Numbers valid in one of the regions. Each run of digits that could be a phone number is
    looked at on its own: only a region where the run parses as a valid number (a cheap check)
    gets its matcher run, on a small window around it. A long message costs per number, not per
    character times regions."""
    found: list[Found] = []
    for m in _PHONE_HINT.finditer(text):
        start, end = m.span()
        if any(s <= start and end <= e for s, e in protected):
            continue
        international = text[start - 1:start] == "+" or text.startswith("00", start)
        if not international and _after_other_number_word(text, start):
            continue
        lo, hi = max(0, start - 4), min(len(text), end + 1)
        window, raw = text[lo:hi], ("+" if text[start - 1:start] == "+" else "") + m.group()
        for region in tried:
            if not _valid_in(raw, region):
                continue
            matches = [Found(lo + x.start, lo + x.end, PHONE)
                       for x in PhoneNumberMatcher(window, region, leniency=Leniency.VALID)]
            found += matches
            if any(f.start <= start and end <= f.end for f in matches):
                break
    return found


@functools.lru_cache(maxsize=4096)
def _valid_in(raw: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, region))
    except phonenumbers.NumberParseException:
        return False
