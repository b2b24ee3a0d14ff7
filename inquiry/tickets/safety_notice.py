"""The automatic first answer to an urgent inquiry: contact your local emergency services now.

Sent on the sender's channel in their language as soon as the ticket is opened, in the same
transaction (through the outbox), besides queueing the ticket for a person. It does not count as
the desk's first response: a person still owes one.
"""
from __future__ import annotations

import datetime as dt

from inquiry.audit.services import record
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.outbound import services as outbound
from inquiry.tickets.models import DeliveryStatus, Direction, Message

NOTICE: dict[str, str] = {
    "en": "If you or someone else is in danger right now, please contact your local emergency services immediately. "
          "We have received your message and a member of our team will look at it as a priority.",
    "fr": "Si vous ou quelqu'un d'autre êtes en danger en ce moment, contactez immédiatement les services d'urgence locaux. "
          "Nous avons bien reçu votre message et notre équipe le traite en priorité.",
    "es": "Si usted u otra persona está en peligro ahora mismo, llame de inmediato a los servicios de emergencia locales. "
          "Hemos recibido su mensaje y nuestro equipo lo atenderá con prioridad.",
    "pt": "Se você ou outra pessoa está em perigo agora, contacte imediatamente os serviços de emergência locais. "
          "Recebemos a sua mensagem e a nossa equipa vai tratá-la com prioridade.",
    "de": "Wenn Sie oder jemand anderes gerade in Gefahr sind, wenden Sie sich sofort an den örtlichen Notruf. "
          "Wir haben Ihre Nachricht erhalten und bearbeiten sie vorrangig.",
    "it": "Se lei o qualcun altro siete in pericolo in questo momento, contattate subito i servizi di emergenza locali. "
          "Abbiamo ricevuto il suo messaggio e il nostro team lo esaminerà con priorità.",
    "ar": "إذا كنت أنت أو أي شخص آخر في خطر الآن، يُرجى الاتصال فورًا بخدمات الطوارئ المحلية. "
          "لقد تلقّينا رسالتك وسيتعامل معها فريقنا على سبيل الأولوية.",
    "zh": "如果您或他人现在正处于危险之中，请立即联系当地紧急救援服务（报警）。我们已收到您的消息，团队会优先处理。",
    "ru": "Если вам или кому-то другому сейчас угрожает опасность, немедленно обратитесь в местные экстренные службы. "
          "Мы получили ваше сообщение, и наша команда займётся им в первую очередь.",
    "uk": "Якщо вам або комусь іншому зараз загрожує небезпека, негайно зверніться до місцевих екстрених служб. "
          "Ми отримали ваше повідомлення, і наша команда розгляне його першочергово.",
    "hi": "अगर आप या कोई और इस समय खतरे में है, तो कृपया तुरंत अपनी स्थानीय आपातकालीन सेवाओं से संपर्क करें। "
          "हमें आपका संदेश मिल गया है और हमारी टीम इसे प्राथमिकता से देखेगी।",
    "ja": "あなたや他の方が今まさに危険な状況にある場合は、直ちに地元の緊急通報（警察・救急）に連絡してください。"
          "メッセージは受け付けました。担当者が優先して対応します。",
    "ko": "지금 본인이나 다른 사람이 위험에 처해 있다면 즉시 현지 긴급 구조 기관(경찰·소방)에 연락하세요. "
          "메시지를 받았으며 담당자가 우선적으로 확인하겠습니다.",
    "tr": "Siz ya da bir başkası şu anda tehlikedeyse lütfen hemen yerel acil durum hizmetlerini arayın. "
          "Mesajınızı aldık; ekibimiz öncelikli olarak inceleyecek.",
    "id": "Jika Anda atau orang lain sedang dalam bahaya saat ini, segera hubungi layanan darurat setempat. "
          "Pesan Anda sudah kami terima dan tim kami akan menanganinya sebagai prioritas.",
    "th": "หากคุณหรือผู้อื่นกำลังตกอยู่ในอันตรายในขณะนี้ โปรดติดต่อหน่วยบริการฉุกเฉินในพื้นที่ทันที "
          "เราได้รับข้อความของคุณแล้ว และทีมงานจะดำเนินการเป็นลำดับแรก",
}


def notice_for(language: str | None) -> str:
    return NOTICE.get(language or "", NOTICE["en"])


def send(ticket, *, at: dt.datetime | None = None) -> Message:
    """Put the notice in the outbox for ``ticket`` (the caller commits with the ticket)."""
    at = at or utcnow()
    text = notice_for(ticket.language)
    message = Message(ticket=ticket, direction=Direction.OUTBOUND, body=text, channel_account_id=ticket.channel_account_id,
                      delivery_status=DeliveryStatus.QUEUED, created_at=at)
    db.session.add(message)
    outbound.enqueue(message, at=at)
    db.session.flush()
    record("ticket.safety_notice", actor_kind="system", ticket=ticket,
           after={"message_id": message.id, "language": ticket.language if ticket.language in NOTICE else "en"}, at=at)
    return message
