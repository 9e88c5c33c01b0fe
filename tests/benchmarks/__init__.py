"""Benchmarks: scripts run by hand that print figures; never collected by pytest."""
