"""Powertools routers of the HTTP API: parse, call one service function, answer with a model."""
