"""Demo data: a realistic desk for newcomers, seeded through the same services as real traffic."""
