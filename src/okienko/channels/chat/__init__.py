"""Live chat: the public widget's conversations with the desk's consultants over WebSocket
(ADR 0057)."""
