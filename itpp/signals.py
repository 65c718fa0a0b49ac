"""Signals shared by the apps."""

from django.dispatch import Signal

# Sent after a write that bypasses the model signals (bulk inserts, raw deletes, a restored
# backup), so that what is derived from the data (the progress cache) knows it changed.
bulk_write = Signal()
