"""Resident views (filled in below)."""
