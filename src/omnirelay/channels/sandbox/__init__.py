"""The sandbox adapter: a simulated provider for development and tests."""

from omnirelay.channels.sandbox.adapter import SandboxAdapter, SandboxDefaults, render, spec

__all__ = ["SandboxAdapter", "SandboxDefaults", "render", "spec"]
