"""One module per platform (or platform family); each registers its adapter on import."""
