"""The phone channel: the call-control engine (``engine/``, pure Python), IVR flows (``ivr/``),
queues and agents, the CTI bridge to the desk, the wallboard and the call reports (issue 15)."""
