"""The local platform: bizline on an embedded AWS, driven by template.yaml (never deployed)."""
