import pytest


@pytest.fixture(scope="session")
def router(trained_instance):
    from inquiry.classifier import store
    from inquiry.classifier.model import Router

    bundle, meta = store.load(trained_instance)
    return Router(bundle, meta["thresholds"], meta["id"])
