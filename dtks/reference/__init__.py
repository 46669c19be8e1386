"""Reference data bundled with the core (region table)."""
