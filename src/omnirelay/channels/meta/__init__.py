"""What the WhatsApp Cloud API and the Messenger Platform share: the Graph API client with its
error classes, and the webhook handshake and X-Hub-Signature-256 check."""
