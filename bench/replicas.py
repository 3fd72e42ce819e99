"""The replicas scenario: 1, 2 and 3 gateways on one PostgreSQL database, the load spread over
them round robin (as a gRPC load balancer would), each count on a fresh database. Per count:
SendMessage accepted/s at max rate, and end to end messages/s (a DELIVERED subscriber on one
replica sees every replica's events through LISTEN/NOTIFY). Every process shares this machine's
cores, so the figures show what replicas cost and keep, not how they scale on separate hosts."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import asdict
from typing import Any

from bench import gateway_client, postgres, servers
from bench.loadgen import EndToEndSpec
from bench.scenario import Options, describe, load_spec, max_rate_warmup, progress, run_end_to_end, run_load, short_warmup, wait_idle
from bench.workload import send_target

REPLICA_COUNTS = (1, 2, 3)


def measure_replica_count(count: int, database_url: str, options: Options) -> dict[str, Any]:
    name = f"{count} replica{'s' if count > 1 else ''}"
    api_key = servers.create_account_key(database_url)
    with ExitStack() as stack:
        gateways = [stack.enter_context(servers.gateway(database_url, options.log_dir / f"gateway-replica-{i}.log")) for i in range(count)]
        first = gateways[0].address
        gateway_client.create_sms_identity(first, api_key)
        send = send_target("ipv4:" + ",".join(g.address for g in gateways), api_key)
        accepted = run_load(load_spec(send, options, max_rate_warmup(options)), options)
        progress(f"{name}: SendMessage max rate: {describe(accepted)}")
        wait_idle(first, api_key, name, "max rate")
        e2e = run_end_to_end(EndToEndSpec(load_spec(send, options, short_warmup(options)), options.delivery_timeout_s), options)
        progress(f"{name}: end to end: {e2e.delivered} DELIVERED in {e2e.elapsed_s:.1f} s = {e2e.messages_per_s:.0f}/s, missing {e2e.missing}")
        wait_idle(first, api_key, name, "end to end")
        peak_pss = [g.peak_pss_mib() for g in gateways]
    return {"replicas": count, "send_max_rate": asdict(accepted), "end_to_end": asdict(e2e), "gateway_peak_pss_mib": peak_pss}


def measure_replicas(server_url: str, options: Options) -> dict[str, Any]:
    reason = postgres.unreachable_reason(server_url)
    if reason is not None:
        progress(f"replicas: skipped ({reason})")
        return {"skipped": reason}
    runs = []
    for count in REPLICA_COUNTS:
        with postgres.fresh_database(server_url) as database_url:
            runs.append(measure_replica_count(count, database_url, options))
    return {"runs": runs}


def markdown_table(result: dict[str, Any]) -> str:
    if "runs" not in result:
        return f"replicas: {result.get('skipped') or 'failed, see JSON'}"
    rows = [
        f"| {r['replicas']} | {r['send_max_rate']['calls_per_s']:,.0f} | {r['end_to_end']['messages_per_s']:,.0f} | {r['end_to_end']['missing']} |"
        for r in result["runs"]
    ]
    header = "| replicas on one PostgreSQL | accepted/s | end-to-end msg/s | not delivered |\n|---:|---:|---:|---:|"
    return header + "\n" + "\n".join(rows)
