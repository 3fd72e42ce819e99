"""The sandbox adapter: a simulated provider for development and tests."""

from omnirelay.channels.sandbox.adapter import SandboxAdapter, SandboxDefaults

__all__ = ["SandboxAdapter", "SandboxDefaults"]
