"""Signals the framework sends to the apps above it, which it cannot import."""

from django.dispatch import Signal

# Sent by goals.services.close_stocktake() under the stock-take's lock, before it is saved
# as closed, with `stocktake` and `snapshot` (the dict being frozen). progress connects the
# receiver that adds the activity counts (see progress.services).
stocktake_closing = Signal()
