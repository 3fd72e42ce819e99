"""omnirelay v1 API: messages and gRPC stubs generated from proto/ by make generate."""
