"""Estimators the chapters share, one implementation each.

``composite`` (PCA composite index), ``panel`` (fixed-effects OLS with clustered errors,
Frisch–Waugh–Lovell residualising), ``inference`` (Holm adjustment, t-interval), ``rows`` (row
accounting), ``rank_tests`` and ``wild_bootstrap``. Pure functions: frames in, estimates out;
no I/O, no plotting.
"""
