"""Statistical models behind the chapters (panel regressions, out-of-sample checks)."""
