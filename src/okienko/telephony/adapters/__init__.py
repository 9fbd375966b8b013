"""Adapters that carry real calls for the engine (``engine.adapter.Adapter``): Asterisk through ARI
(``ari``; production, ADR 0059). Each needs its optional extra installed (``pip install
okienko[ari]``), so nothing here is imported unless the engine process is configured for it."""
