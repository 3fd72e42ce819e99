"""Adapter tests: each channel against a local fake peer that speaks the real protocol."""
