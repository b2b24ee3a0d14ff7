"""The organisation's own channels: the web form and the JSON API.

They take no webhooks (the form and the API have their own views); replies are published where
the sender reads them (the status page, the API), so sending is immediate.
"""
from __future__ import annotations

from inquiry import taxonomy
from inquiry.channels.base import Adapter, Rejected, Sent
from inquiry.channels.registry import register


class _Own(Adapter):
    def authenticate(self, account, request):
        raise Rejected(404, f"{self.platform} takes no webhooks")

    def parse(self, account, request):
        raise Rejected(404, f"{self.platform} takes no webhooks")

    def send(self, account, outgoing, http):
        return Sent(status="delivered")


@register(taxonomy.WEB_FORM)
class WebForm(_Own):
    platform = taxonomy.WEB_FORM


@register(taxonomy.API)
class Api(_Own):
    platform = taxonomy.API
