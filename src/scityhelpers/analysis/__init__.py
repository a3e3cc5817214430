"""Chapter computations: tidy tables in, tables and numbers out (no I/O, no plotting)."""
