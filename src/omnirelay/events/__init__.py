"""The event log reader and the fan-out to stream subscribers."""
