"""The routing labels of ../shared/taxonomy.md: the one place their slugs are written."""
from __future__ import annotations

TOPICS: tuple[str, ...] = (
    "crime-awareness",
    "assessment-tools",
    "crime-enablers",
    "crime-types-events",
    "prevention-policies",
    "complicit-organisations",
    "citizen-champions",
    "journalism",
    "disarmament",
    "crime-index-portals",
    "live-events",
    "webinars",
    "government-techniques",
    "general",
)

AUDIENCES: dict[str, str] = {
    "government": "Government representatives",
    "intergovernmental": "Inter-governmental representatives",
    "international-orgs": "International organisations",
    "political-leaders": "Political leaders",
    "private-security": "Private security",
    "travellers": "International travellers",
    "corporate": "Corporate",
    "transport": "Transport crews",
    "vehicle-rental": "Vehicle rental",
    "education": "Education",
    "general-public": "General public",
}

# Where low-confidence predictions wait for a human to route them.
TRIAGE_QUEUE = "triage"

# Tips about an agency, company or official protecting criminals can endanger the sender, and
# the organisation reported on may have friends among the staff: such a ticket goes to the
# restricted whistleblowing queue (only its named members see it, each view audited) whatever
# its audience, and at any confidence, never to triage where every triage agent would read it.
SENSITIVE_TOPICS: frozenset[str] = frozenset({"complicit-organisations"})
WHISTLEBLOWING_QUEUE = "whistleblowing"


def home_queue(topic: str | None, audience: str | None, *, routed: bool = True) -> str:
    """The queue a ticket with these labels belongs in: a tip of a sensitive topic goes to the
    restricted whistleblowing queue whatever else is known; otherwise the audience's queue when
    the labels are trusted (``routed``) and known, else triage."""
    if topic in SENSITIVE_TOPICS:
        return WHISTLEBLOWING_QUEUE
    return audience if routed and audience in AUDIENCES else TRIAGE_QUEUE


# Most urgent first; the rank orders lists and drives SLA policies.
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal", "low")
PRIORITY_RANK = {slug: rank for rank, slug in enumerate(PRIORITIES)}

# The 35 networks (slug: display name), then the organisation's own channels.
PLATFORMS: dict[str, str] = {
    "facebook": "Facebook",
    "youtube": "YouTube",
    "whatsapp": "WhatsApp",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "wechat": "WeChat",
    "messenger": "Messenger",
    "telegram": "Telegram",
    "viber": "Viber",
    "snapchat": "Snapchat",
    "douyin": "Douyin",
    "baidu": "Baidu",
    "qzone": "Qzone",
    "spotify": "Spotify",
    "x": "X",
    "sina-weibo": "Sina Weibo",
    "pinterest": "Pinterest",
    "reddit": "Reddit",
    "kuaishou": "Kuaishou",
    "bilibili": "Bilibili",
    "microsoft-teams": "Microsoft Teams",
    "linkedin": "LinkedIn",
    "quora": "Quora",
    "vimeo": "Vimeo",
    "line": "LINE",
    "xiaohongshu": "Xiaohongshu",
    "discord": "Discord",
    "sharechat": "ShareChat",
    "threads": "Threads",
    "josh": "Josh",
    "twitch": "Twitch",
    "tumblr": "Tumblr",
    "medium": "Medium",
    "vk": "VK",
    "rumble": "Rumble",
}
WEB_FORM = "web-form"
API = "api"
OWN_CHANNELS: dict[str, str] = {WEB_FORM: "Web form", API: "JSON API"}
CHANNELS: dict[str, str] = {**PLATFORMS, **OWN_CHANNELS}

# ISO 639-1 codes accepted wherever a language is given.
LANGUAGES: frozenset[str] = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh
    zu""".split()
)

# Written right to left: pages and text blocks in these languages get dir="rtl".
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ku"})

# The languages offered first in forms (the organisation's main ones), as (code, name).
COMMON_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"),
    ("zh", "中文"), ("ru", "Русский"), ("pt", "Português"), ("de", "Deutsch"),
    ("hi", "हिन्दी"), ("ja", "日本語"), ("ko", "한국어"), ("tr", "Türkçe"),
    ("id", "Bahasa Indonesia"), ("it", "Italiano"), ("uk", "Українська"), ("th", "ไทย"),
)


def text_direction(language: str | None) -> str:
    """The CSS/HTML direction for text in ``language`` ("ltr" when unknown)."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"
