"""omnirelay: a gRPC omnichannel messaging gateway."""

import pkgutil

# The generated stubs live in generated/omnirelay/v1 and are importable as omnirelay.v1: in an
# editable install both src/ and generated/ are on sys.path, so the package spans both roots.
__path__ = pkgutil.extend_path(__path__, __name__)
