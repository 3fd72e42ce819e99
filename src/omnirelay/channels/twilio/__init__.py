"""The Twilio-compatible HTTP adapter (Twilio, SignalWire, Restcomm): SMS and MMS."""

from omnirelay.channels.twilio.adapter import SPEC, TwilioAdapter, render, send_result

__all__ = ["SPEC", "TwilioAdapter", "render", "send_result"]
