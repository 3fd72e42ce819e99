"""omnirelay benchmark harness: `python -m bench` (or `make bench`).

What it measures, in one run, on loopback only (127.0.0.1), bounded in count and time:

* echo calls/s: a bare grpc.aio server (bench.echo_server) that returns the serialized
  SendMessageRequest it receives. It is the ceiling this machine, this Python and this gRPC
  build can reach with the same client, the same payload and the same concurrency.
* SendMessage accepted/s at max rate, on SQLite and on PostgreSQL: closed loop, N calls in
  flight over several channels, each call answered once the message is durably stored.
* SendMessage p50/p99 latency at 50% of that max rate: open loop, calls started on a fixed
  schedule whatever the replies do. Latency is counted from the scheduled start, so a stall
  shows up in the figures instead of silently slowing the schedule (no coordinated omission);
  the latency from the actual start is in the JSON too.
* end to end messages/s: the same closed-loop sends plus one StreamMessageEvents subscriber
  (statuses [DELIVERED]) in the load-generator process; messages/s is counted from the first
  send to the last DELIVERED event of a message this phase sent, and send->DELIVERED latency
  is matched by message name with both instants taken on the client's clock.
* CPU per message: the gateway process's CPU time (/proc/PID/stat) from the start of each phase
  until it is idle again, over the messages the phase sent, so a message's whole way (dispatch,
  reports, events) counts even where the phase ended before dispatch caught up; the echo
  server's CPU per call beside it.
* peak memory of each server: the proportional set size (PSS, /proc/PID/smaps_rollup) of
  its processes summed, sampled every 0.25 s while it runs (bench.servers.PeakMemory).
* streams (bench.streams, SQLite): events/s delivered to 1, 100 and 1,000 StreamInboundMessages
  subscribers of one gateway (InjectInboundMessage makes the events), against the echo
  server's bare gRPC fan-out with the same subscribers; commit-to-arrival p50/p99 at max rate
  and at half that rate (event_time against the subscriber's wall clock, same machine); a
  check that every subscriber got every event; memory per idle subscriber (gateway VmRSS with
  1,000 idle streams open minus with none, over 1,000). Subscribers live in their own spawned
  processes (bench.subscribers), up to 500 streams each over a few channels.

Why ratios to echo: absolute calls/s on a shared 2-core machine move by tens of percent from
one run to the next (other tenants, CPU frequency, the load generator competing with the
server for the same cores). The echo server is measured right before each store, with the
same client code, so "accepted/s / echo calls/s" compares the gateway with what gRPC alone
does on this machine at that moment, a figure that travels between machines far better than
the raw rate; the streams scenario compares with the bare fan-out the same way. Targets, for
context: accepted >= 0.6 x echo, end to end >= 0.3 x echo, p99 < 10 ms at 50% rate.

How: every server and the load generator run in their own processes (the load generator is
a fresh `spawn`ed process per phase, so client CPU is never the parent's). Between phases
the harness waits until the gateway has no message short of READ, so one phase's dispatch
work does not leak into the next. Everything it starts is stopped in `finally` blocks.
Results: bench/results/latest.json (every figure plus machine info) and Markdown tables on
stdout; gateway logs (warning and above) land next to it.
"""
