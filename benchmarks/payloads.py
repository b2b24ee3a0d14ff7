"""Signed bridge deliveries for the benchmark: distinct message ids, multilingual texts, senders
that sometimes write again (those messages thread onto the sender's open ticket) but mostly are
new (a new ticket each). Deterministic for a given seed; signed just before each run, since the
bridge refuses timestamps more than 300 s away.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import time
import zlib
from dataclasses import dataclass

from baseline_app import sign

# (language, texts with {place} / {thing} / {n} slots): the kind of thing people send the desk.
TEXTS: list[tuple[str, list[str]]] = [
    ("en", [
        "Hello, I received a message claiming to be from your organisation asking me to pay a fine of {n} euros. Is this real? The sender used a {thing} account.",
        "My passport was stolen in {place} yesterday evening. Who should I contact to report it, and can your office help me travel home?",
        "I want to report a fake profile using your logo on {thing}. It is asking people for money and personal documents.",
        "Are there any internships for students in {place} this year? I study criminology and speak three languages.",
    ]),
    ("fr", [
        "Bonjour, j'ai reçu un courriel qui prétend venir de votre organisation et me demande {n} euros. Est-ce une arnaque ?",
        "Mon fils a disparu depuis deux jours à {place}. La police locale ne répond pas, que puis-je faire ?",
        "Quelqu'un utilise votre nom sur {thing} pour vendre de faux certificats. Je peux envoyer des captures d'écran.",
    ]),
    ("es", [
        "Hola, me llamaron diciendo que eran de su organización y que tengo una orden de arresto en {place}. ¿Es verdad?",
        "Perdí mi documento de identidad en {place}. ¿Cómo puedo denunciarlo desde el extranjero?",
        "Quiero denunciar una estafa de inversión en criptomonedas que vi anunciada en {thing}; perdí {n} dólares.",
    ]),
    ("de", [
        "Guten Tag, ich habe eine E-Mail mit Ihrem Logo bekommen, die {n} Euro Strafe verlangt. Ist das echt?",
        "Mein Auto wurde in {place} gestohlen und ist vielleicht ins Ausland gebracht worden. An wen wende ich mich?",
    ]),
    ("ar", [
        "مرحبا، تلقيت رسالة على {thing} تدعي أنها من منظمتكم وتطلب مني دفع {n} دولار. هل هذا صحيح؟",
        "فقدت جواز سفري في {place}. كيف يمكنني الإبلاغ عن ذلك؟",
    ]),
    ("ru", [
        "Здравствуйте, мне пришло сообщение в {thing} от имени вашей организации с требованием оплатить штраф {n} рублей. Это мошенники?",
        "Мой брат пропал в {place} неделю назад. Можете ли вы помочь с розыском?",
    ]),
    ("zh", [
        "您好，我在{thing}上收到一条自称是贵组织的消息，要求我支付{n}元罚款。这是真的吗？",
        "我的护照在{place}被偷了，请问应该向谁报告？",
    ]),
    ("pt", [
        "Olá, recebi uma mensagem no {thing} dizendo que sou procurado em {place}. Isso é verdade?",
        "Gostaria de denunciar um perfil falso que usa o nome da vossa organização para pedir dinheiro.",
    ]),
    ("tr", [
        "Merhaba, {thing} üzerinden kuruluşunuz adına {n} lira ceza ödememi isteyen bir mesaj aldım. Bu gerçek mi?",
    ]),
    ("id", [
        "Halo, saya menerima pesan di {thing} yang mengaku dari organisasi Anda dan meminta uang {n} rupiah. Apakah ini penipuan?",
    ]),
    ("ja", [
        "こんにちは。{thing}で貴機関を名乗るメッセージが届き、{n}円の罰金を払うよう言われました。本物でしょうか？",
    ]),
    ("hi", [
        "नमस्ते, मुझे {thing} पर एक संदेश मिला जो आपके संगठन से होने का दावा करता है और {n} रुपये मांग रहा है। क्या यह असली है?",
    ]),
    ("uk", [
        "Добрий день, мій паспорт викрали у {place}. Куди мені звернутися?",
    ]),
    ("sw", [
        "Habari, nimepokea ujumbe kwenye {thing} unaodai kuwa kutoka kwa shirika lenu ukiomba shilingi {n}. Je, ni kweli?",
    ]),
]
PLACES = ["Lyon", "Madrid", "Nairobi", "São Paulo", "Istanbul", "Jakarta", "Kyiv", "Osaka", "Cairo", "Berlin",
          "Mumbai", "Buenos Aires", "Manila", "Lagos", "Warszawa", "Hanoi"]
THINGS = ["WhatsApp", "Telegram", "Facebook", "Instagram", "TikTok", "LINE", "Viber", "X", "VK", "WeChat"]
NAMES = ["Amina Yusuf", "Jean Dupont", "María García", "Jürgen Weiß", "محمد علي", "Ольга Иванова", "王伟",
         "João Silva", "Ayşe Yılmaz", "Siti Rahayu", "佐藤 花子", "प्रिया शर्मा", "Олена Коваль", "Baraka Otieno"]
REPEAT_SHARE = 0.3  # share of messages from a sender already seen in the same run (they thread)


@dataclass
class Batch:
    """One run's deliveries: the JSON bodies in sending order, and the senders they come from."""

    prefix: str
    bodies: list[bytes]
    senders: list[str]  # sender_external_id of each body


def make_batch(prefix: str, n: int, *, seed: int) -> Batch:
    rng = random.Random(seed)
    bodies, senders, known = [], [], []
    now = dt.datetime.now(dt.timezone.utc)
    for i in range(n):
        if known and rng.random() < REPEAT_SHARE:
            sender = rng.choice(known)
        else:
            sender = f"{prefix}u{len(known)}"
            known.append(sender)
        language, texts = rng.choice(TEXTS)
        text = rng.choice(texts).format(place=rng.choice(PLACES), thing=rng.choice(THINGS), n=rng.randint(50, 5000))
        payload = {
            "platform": "reddit",
            "external_message_id": f"{prefix}m{i}",
            "sender_external_id": sender,
            "sender_display_name": NAMES[zlib.crc32(sender.encode()) % len(NAMES)],
            "text": text,
            "sent_at": (now - dt.timedelta(seconds=n - i)).isoformat(),
        }
        if rng.random() < 0.05:
            payload["attachments"] = [{"kind": "image", "url": f"https://cdn.example.org/{prefix}{i}.jpg", "mime": "image/jpeg"}]
        bodies.append(json.dumps(payload, ensure_ascii=False).encode())
        senders.append(sender)
    return Batch(prefix, bodies, senders)


def signed_requests(batch: Batch, *, host: str, port: int, path: str, secret: str) -> list[bytes]:
    """Raw HTTP/1.1 keep-alive POSTs, signed now (the 300 s window starts here)."""
    stamp = str(int(time.time()))
    out = []
    for body in batch.bodies:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Bridge-Timestamp: {stamp}\r\n"
            f"X-Bridge-Signature: {sign(secret, stamp, body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out
