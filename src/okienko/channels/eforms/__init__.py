"""Electronic forms (ePUAP-style): signed XML submissions turned into contacts and cases (ADR 0056)."""
