"""Channel adapters: one subpackage per provider protocol."""
