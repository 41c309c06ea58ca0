"""Local stand-ins for the providers, for tests, benchmarks and demos."""
