"""The queue of cases: table model, page, countdown."""
