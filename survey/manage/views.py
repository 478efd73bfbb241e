"""Administrator views."""
