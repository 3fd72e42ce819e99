"""SMS over SMPP 3.4 (a transceiver bind to an SMSC)."""

from omnirelay.channels.smpp.adapter import SmppAdapter, render, spec

__all__ = ["SmppAdapter", "render", "spec"]
