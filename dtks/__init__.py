"""DTKS reconciliation core: pure functions over Polars frames, no Dagster, no deployment paths."""
