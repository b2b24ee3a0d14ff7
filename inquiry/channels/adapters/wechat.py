"""WeChat Official Account (channels.md §8): SHA-1 signature in the query string, XML bodies.

The Token (account.signing_secret) signs timestamp and nonce on the URL verification GET and on
every POST. In safe mode (``encrypt_type=aes``) the body is AES-encrypted with the account's
EncodingAESKey (``options["encoding_aes_key"]``, and ``options["app_id"]`` is checked against the
decrypted AppID); the ciphertext is signed too (``msg_signature``). XML is read with defusedxml,
so entity tricks (billion laughs, external entities) are refused. Replies go through the
customer-service API, which WeChat only accepts within 48 h of the user's last message.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import struct
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException

from inquiry.channels.base import (
    Adapter, Parsed, PermanentFailure, Rejected, Reply, Sent, TemporaryFailure, from_epoch, malformed, unauthorized,
)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import same
from inquiry.ingest.inbound import Attachment, InboundMessage

DEFAULT_API = "https://api.weixin.qq.com"
# -1 system busy, 45009 API call quota exceeded: worth a retry. Everything else will not heal.
RETRYABLE_ERRORS = {-1, 45009}
AES_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


def signature(*parts: str) -> str:
    """SHA-1 hex of the strings sorted and concatenated (the URL check and ``msg_signature``)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


@register("wechat")
class WeChat(Adapter):
    platform = "wechat"
    max_text = 2048
    reply_window = dt.timedelta(hours=48)  # customer-service messages: 48 h after the user wrote
    deadline_seconds = 5

    def handshake(self, account, request):
        """URL verification: a signed GET whose ``echostr`` we send back verbatim."""
        if request.method != "GET" or "echostr" not in request.args:
            return None
        self._check_query(account, request)
        return Reply(200, request.args["echostr"], "text/plain")

    def authenticate(self, account, request):
        self._check_query(account, request)
        mode = request.args.get("encrypt_type") or "raw"
        if mode == "raw":
            return
        if mode != "aes":
            raise malformed(f"unknown encrypt_type {mode!r}")
        if not (account.options or {}).get("encoding_aes_key"):
            raise malformed("encrypted mode not supported: the account has no EncodingAESKey configured")
        encrypted = _field(_xml(request.body), "Encrypt")
        args = request.args
        expected = signature(account.signing_secret, args.get("timestamp", ""), args.get("nonce", ""), encrypted)
        if not same(request.args.get("msg_signature"), expected):
            raise unauthorized("bad msg_signature")

    def _check_query(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no token configured")
        args = request.args
        expected = signature(account.signing_secret, args.get("timestamp", ""), args.get("nonce", ""))
        if not args.get("timestamp") or not args.get("nonce") or not same(args.get("signature"), expected):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        fields = _fields(self._document(account, request))
        if fields.get("MsgId"):
            return "msg:" + fields["MsgId"]
        if fields.get("FromUserName") and fields.get("CreateTime"):
            return f"event:{fields['FromUserName']}:{fields['CreateTime']}"
        return None

    def acknowledge(self, account, request, parsed):
        # "success" (or an empty body) tells WeChat not to retry and not to wait for a passive reply.
        return Reply(200, "success", "text/plain")

    def parse(self, account, request) -> Parsed:
        fields = _fields(self._document(account, request))
        if not fields.get("MsgType"):
            raise malformed("not a WeChat message (no MsgType)")
        parsed = Parsed()
        kind = fields["MsgType"]
        if kind not in ("text", "image", "voice", "video", "shortvideo", "location", "link"):
            parsed.ignored += 1  # events (subscribe, menu clicks, template receipts …) and the unknown
            return parsed
        try:
            parsed.messages.append(_message(kind, fields))
        except (KeyError, ValueError, OverflowError) as exc:
            parsed.problems.append(f"{kind} message: unreadable ({exc!r})")
        return parsed

    def _document(self, account, request) -> Element:
        root = _xml(request.body)
        if (request.args.get("encrypt_type") or "raw") == "aes":
            root = _xml(decrypt(account, _field(root, "Encrypt")))
        return root

    def send(self, account, outgoing, http) -> Sent:
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        token = account.access_token or ""
        payload = {"touser": outgoing.conversation_key, "msgtype": "text", "text": {"content": outgoing.text}}
        try:
            # UTF-8 on the wire, not \\u escapes (WeChat's own SDKs do the same).
            response = call(http, "POST", f"{base}/cgi-bin/message/custom/send", params={"access_token": token},
                            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                            headers={"Content-Type": "application/json; charset=utf-8"})
            try:
                answer = response.json()
            except ValueError:
                raise TemporaryFailure(f"WeChat answered HTTP {response.status_code} without JSON") from None
            code = answer.get("errcode", 0) if isinstance(answer, dict) else None
            if code == 0:
                return Sent(external_id=_msgid(answer.get("msgid")))
            detail = f"WeChat error {code}: {answer.get('errmsg') if isinstance(answer, dict) else answer}"
            raise (TemporaryFailure if code in RETRYABLE_ERRORS else PermanentFailure)(detail)
        except (TemporaryFailure, PermanentFailure) as exc:
            # The access token travels in the query string: keep it out of stored errors.
            message = str(exc).replace(token, "***") if token else str(exc)
            raise type(exc)(message) from None


def decrypt(account, encrypted: str) -> bytes:
    """Safe-mode body: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = key[:16], 32-byte
    PKCS#7; plaintext = 16 random bytes, 4-byte big-endian length, the XML, the AppID."""
    options = account.options or {}
    try:
        key = base64.b64decode(str(options["encoding_aes_key"]) + "=", validate=True)
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        ciphertext = base64.b64decode(encrypted, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(ciphertext) + decryptor.finalize()
        pad = plain[-1] if plain else 0
        if not 1 <= pad <= AES_BLOCK or len(plain) < 20 + pad:
            raise ValueError("bad padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        xml, app_id = content[4:4 + length], content[4 + length:]
        if len(xml) != length:
            raise ValueError("length field exceeds the plaintext")
    except (KeyError, ValueError, TypeError, struct.error) as exc:
        raise malformed(f"cannot decrypt the safe-mode body: {exc}") from None
    expected = options.get("app_id")
    if expected and not same(app_id, str(expected)):
        raise Rejected(403, "encrypted for another AppID")
    return xml


def encrypt(encoding_aes_key: str, app_id: str, xml: bytes, random16: bytes) -> str:
    """The inverse of ``decrypt`` (what WeChat does); used by tests and by passive replies if ever needed."""
    key = base64.b64decode(encoding_aes_key + "=")
    plain = random16 + struct.pack(">I", len(xml)) + xml + app_id.encode("utf-8")
    pad = AES_BLOCK - len(plain) % AES_BLOCK
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def _xml(body: bytes) -> Element:
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError, TypeError) as exc:
        raise malformed(f"unreadable or unsafe XML: {exc}") from None
    if root.tag != "xml":
        raise malformed("not a WeChat XML message (root is not <xml>)")
    return root


def _fields(root: Element) -> dict[str, str]:
    """Direct children as tag → stripped text (CDATA is plain text to the parser)."""
    return {child.tag: (child.text or "").strip() for child in root if isinstance(child.tag, str)}


def _field(root: Element, name: str) -> str:
    value = _fields(root).get(name)
    if not value:
        raise malformed(f"no {name} in the body")
    return value


def _message(kind: str, f: dict[str, str]) -> InboundMessage:
    sender, msg_id = f.get("FromUserName"), f.get("MsgId")
    if not sender or not msg_id:
        raise ValueError("FromUserName or MsgId missing")
    text, attachments = "", []
    if kind == "text":
        text = f.get("Content", "")
    elif kind == "image":
        attachments.append(Attachment("image", platform_ref=f.get("PicUrl") or f.get("MediaId") or None))
    elif kind == "voice":
        text = f.get("Recognition", "")  # WeChat's transcript, when speech recognition is on
        fmt = f.get("Format", "").lower()
        attachments.append(Attachment("audio", platform_ref=f.get("MediaId") or None, mime=f"audio/{fmt}" if fmt else None))
    elif kind in ("video", "shortvideo"):
        attachments.append(Attachment("video", platform_ref=f.get("MediaId") or None))
    elif kind == "location":
        lat, lon = float(f["Location_X"]), float(f["Location_Y"])
        attachments.append(Attachment("location", platform_ref=f"geo:{lat},{lon}", caption=f.get("Label") or None))
    elif kind == "link":
        text = "\n".join(v for v in (f.get("Title"), f.get("Description")) if v)
        attachments.append(Attachment("link", platform_ref=f.get("Url") or None, caption=f.get("Title") or None))
    return InboundMessage(
        account=None,
        text=text,
        sender_external_id=sender,
        sender_display_name=None,  # only the user-info API has it
        external_message_id=msg_id,
        conversation_key=sender,
        sent_at=from_epoch(f.get("CreateTime")),
        attachments=attachments,
    )


def _msgid(value) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None
