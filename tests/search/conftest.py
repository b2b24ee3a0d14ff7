"""Helpers for the search tests: read result references off a page."""
import re

RESULT = re.compile(r'class="message search-hit" data-reference="(INQ-[0-9A-Z-]+)"')


def result_references(page) -> list[str]:
    return RESULT.findall(page.data.decode())
