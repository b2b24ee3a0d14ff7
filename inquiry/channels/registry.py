"""Which adapter serves which platform: ``register("telegram", Telegram)`` instead of if-chains."""
from __future__ import annotations

from inquiry.channels.base import Adapter

_adapters: dict[str, Adapter] = {}


def register(platform: str, adapter_class: type[Adapter] | None = None):
    """``register("telegram", Telegram)``, or ``@register("telegram")`` on the class."""
    if adapter_class is None:
        return lambda cls: register(platform, cls)
    _adapters[platform] = adapter_class()
    return adapter_class


def adapter_for(platform: str) -> Adapter | None:
    _load_all()
    return _adapters.get(platform)


BRIDGE = "bridge"


def uses_bridge(account) -> bool:
    """Networks without a native adapter, or accounts set to it, come in through the signed bridge."""
    _load_all()
    return (account.options or {}).get("transport") == BRIDGE or account.platform not in _adapters


def adapter_for_account(account) -> Adapter | None:
    return adapter_for(BRIDGE) if uses_bridge(account) else adapter_for(account.platform)


def platforms() -> list[str]:
    _load_all()
    return sorted(_adapters)


_loaded = False


def _load_all() -> None:
    """Import every adapter module once, so each registers itself."""
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil

    from inquiry.channels import adapters

    for module in pkgutil.iter_modules(adapters.__path__):
        importlib.import_module(f"{adapters.__name__}.{module.name}")
    _loaded = True
