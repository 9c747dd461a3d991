"""Chamber's load benchmark: a sitting of many simulated tablets against the production stack.

``python -m bench`` (or ``make bench BENCH_ARGS="..."``) starts PostgreSQL-backed ASGI worker
processes on a Redis channel layer, connects N tablets, P projectors and a console as real
WebSocket clients, plays a sitting (check-in, ten agenda steps, one vote) and measures it
against the floor: a bare ``websockets`` server broadcasting to the same clients.
See ``bench/RESULTS.md``.
"""
