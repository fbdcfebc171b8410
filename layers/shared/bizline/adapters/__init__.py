"""Stores and adapters: the only code that talks to AWS or HTTP, speaking domain types."""
