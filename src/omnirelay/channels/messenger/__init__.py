"""The Messenger Platform adapter."""

from omnirelay.channels.messenger.adapter import MessengerAdapter, spec

__all__ = ["MessengerAdapter", "spec"]
