"""Use cases: read through stores, ask the rules, write through stores."""
