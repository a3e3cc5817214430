"""Estimators the chapters share, one implementation each.

Composite indices (PCA), panel fixed effects with clustered errors, rank tests and the wild
cluster bootstrap. Pure functions: frames in, estimates out; no I/O, no plotting.
"""
