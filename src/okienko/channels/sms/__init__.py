"""SMS: how a text is encoded and split (``encoding``), and the gateways that carry it (``gateways``)."""
