"""The SMPP adapter against SMSCs on 127.0.0.1."""
