"""IVR flows as versioned data: the stored flows, their publication and the entry numbers."""
