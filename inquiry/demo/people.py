"""The demo desk's staff: who works which queues in which languages."""
from __future__ import annotations

DOMAIN = "inquiry.example.org"

# (e-mail local part, name, role, queues, languages). The whistleblowing queue is restricted:
# only Sofia (who routes triage) and Amina see its tips; the admin and the other agents do not.
STAFF: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("supervisor", "Sofia Lindqvist", "supervisor", ("whistleblowing",), ("en", "sv", "fr")),
    ("admin", "Tomás Okafor", "admin", (), ("en", "es")),
    ("amina", "Amina Haddad", "agent", ("government", "intergovernmental", "political-leaders", "triage",
                                        "whistleblowing"), ("ar", "fr", "en")),
    ("li", "Li Wei", "agent", ("travellers", "transport", "vehicle-rental"), ("zh", "en", "ja")),
    ("maria", "María González", "agent", ("general-public", "education"), ("es", "pt", "en")),
    ("ivan", "Ivan Petrenko", "agent", ("general-public", "private-security", "corporate"), ("ru", "uk", "en")),
    ("priya", "Priya Raman", "agent", ("international-orgs", "education", "general-public"), ("hi", "en")),
    ("kenji", "Kenji Sato", "agent", ("travellers", "general-public", "triage"), ("ja", "ko", "en")),
)

# A first answer in the sender's language, as an agent would write it.
ACKNOWLEDGEMENTS: dict[str, str] = {
    "en": "Thank you for writing to us. We have looked into your message and will follow up here shortly.",
    "fr": "Merci de nous avoir écrit. Nous avons examiné votre message et revenons vers vous ici très vite.",
    "es": "Gracias por escribirnos. Hemos revisado su mensaje y le responderemos aquí en breve.",
    "ar": "شكرًا لتواصلك معنا. لقد اطلعنا على رسالتك وسنعود إليك هنا قريبًا.",
    "zh": "感谢您的来信。我们已经查看了您的消息，稍后会在这里继续回复您。",
    "ru": "Спасибо за обращение. Мы изучили ваше сообщение и скоро ответим здесь.",
    "pt": "Obrigado por nos escrever. Analisámos a sua mensagem e responderemos aqui em breve.",
    "de": "Danke für Ihre Nachricht. Wir haben sie geprüft und melden uns hier in Kürze.",
    "hi": "हमें लिखने के लिए धन्यवाद। हमने आपका संदेश देख लिया है और जल्द ही यहीं जवाब देंगे।",
    "ja": "ご連絡ありがとうございます。内容を確認しましたので、追ってこちらでご連絡します。",
    "ko": "문의해 주셔서 감사합니다. 메시지를 확인했으며 곧 이곳에서 답변드리겠습니다.",
    "tr": "Bize yazdığınız için teşekkürler. Mesajınızı inceledik, kısa süre içinde buradan dönüş yapacağız.",
    "id": "Terima kasih sudah menghubungi kami. Pesan Anda sudah kami periksa dan akan kami tindak lanjuti di sini.",
    "it": "Grazie per averci scritto. Abbiamo esaminato il suo messaggio e le risponderemo qui a breve.",
    "uk": "Дякуємо за звернення. Ми переглянули ваше повідомлення і незабаром відповімо тут.",
    "th": "ขอบคุณที่ติดต่อเรา เราได้ตรวจสอบข้อความของคุณแล้วและจะตอบกลับที่นี่เร็ว ๆ นี้",
}

NOTES = (
    "Checked with the regional office; they will send the document by Friday.",
    "Sender already wrote last month about the same thing; linking context.",
    "Needs the legal team's view before we answer in detail.",
    "Possible duplicate of a report received on another channel.",
    "Forwarded the details to the liaison officer on duty.",
)
