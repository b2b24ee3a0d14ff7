"""Service-level targets: the deadlines each ticket carries, and what happens when they slip."""
