"""bizline: business messaging on AWS serverless (shared layer package)."""
