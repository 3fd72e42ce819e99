"""GatewayError -> google.rpc.Status with ErrorInfo and BadRequest details (AIP-193)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from omnirelay.domain.errors import GatewayError

DOMAIN = "omnirelay"


def to_status(error: GatewayError) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason=error.reason.name, domain=DOMAIN, metadata=error.metadata)
    details = [_pack(info)]
    if error.violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in error.violations
            ]
        )
        details.append(_pack(bad))
    status = status_pb2.Status(code=code_pb2.Code.Value(error.reason.code.value), message=error.message, details=details)
    return rpc_status.to_status(status)


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed
