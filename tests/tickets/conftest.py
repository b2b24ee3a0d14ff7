"""Helpers for the staff ticket pages: read references off a page."""
import html
import re

REFERENCE_ROW = re.compile(r'data-reference="(INQ-[0-9A-Z-]+)"')
OLDER_LINK = re.compile(r'<a href="([^"]+)" rel="next">Next page</a>')


def references(page) -> list[str]:
    """The ticket references of a list page, in the order shown."""
    return REFERENCE_ROW.findall(page.data.decode())


def older_link(page) -> str | None:
    match = OLDER_LINK.search(page.data.decode())
    return html.unescape(match.group(1)) if match else None
