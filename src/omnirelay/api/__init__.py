"""The gRPC edge: servicers, authentication, error mapping, the server."""
