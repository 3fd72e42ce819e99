"""The WhatsApp Business Cloud API adapter."""

from omnirelay.channels.whatsapp.adapter import WhatsAppAdapter, spec

__all__ = ["WhatsAppAdapter", "spec"]
