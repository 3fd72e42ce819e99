"""Every adapter the gateway ships, as AdapterSpecs; the composition root picks from here."""

from __future__ import annotations

from omnirelay.channels import messenger, sandbox, smpp, twilio, whatsapp
from omnirelay.channels.base import AdapterSpec
from omnirelay.config import Settings


def adapter_specs(settings: Settings) -> dict[str, AdapterSpec]:
    specs: list[AdapterSpec] = [smpp.spec(), twilio.SPEC, whatsapp.spec(), messenger.spec()]
    if settings.sandbox:
        specs.append(sandbox.spec(sandbox.SandboxDefaults(settings.sandbox_delivered_delay_ms, settings.sandbox_read_delay_ms, settings.sandbox_send_delay_ms), exclusive=settings.sandbox_exclusive))
    return {s.name: s for s in specs}
