"""The call-control engine: pure Python (no Django, no I/O of its own), driven by an injected
clock and random source, so that the live process, the simulator and the tests run the same code.

Modules (see ``docs/telephony.md``):

- ``clock``: ``Clock`` protocol (``now() -> float`` seconds; ``call_later(delay, fn) -> Timer``
  with ``cancel()``), ``VirtualClock`` (a heap of timers; ``advance``/``run_until``) and
  ``AsyncioClock`` (the running loop).
- ``events``: ``CallEvent`` (``at``, ``kind``, ``call``, ``queue``, ``agent``, ``data``), the
  append-only log interface and JSON (de)serialisation.
- ``acd``: queues, agents and calls; the one writer of their state; strategies, tiers,
  overflow, wrap-up, reservations, auto-pause; every change an event; ``ACD.replay(events)``.
- ``erlang``: Erlang C and Erlang A.
- ``simulate``: a discrete-event simulation running ``acd`` on the virtual clock.
- ``ivr``: the flow schema, validation and the interpreter (a state machine returning actions).
- ``adapter``: the adapter interface (answer, play, collect digits, bridge, transfer, hang up,
  record, listen-in) and the simulator adapter.
"""
