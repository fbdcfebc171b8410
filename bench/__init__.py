"""bizline's benchmarks: figures measured on the code, never asserted by the tests."""
