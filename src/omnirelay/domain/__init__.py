"""Domain rules: pure functions and values, no I/O, no gRPC, no SQL."""
