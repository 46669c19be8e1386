"""Dagster code location: Definitions, jobs, schedules, sensors, resources, partitions."""
