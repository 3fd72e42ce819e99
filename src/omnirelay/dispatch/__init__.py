"""Dispatch: claims due messages in batches, hands them to adapters, records the outcome."""
