"""Test helpers of the ai app: local stand-ins for the external AI services."""
