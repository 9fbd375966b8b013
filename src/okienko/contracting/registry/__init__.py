"""The registry of registered unemployed people of a labour office, imported from Syriusz exports."""
