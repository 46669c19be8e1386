"""The asset graph, one module per stage: ingest -> clean -> match -> publish."""
