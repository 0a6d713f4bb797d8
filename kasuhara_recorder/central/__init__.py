"""The central store: PostgreSQL for the rows, one blob interface for sealed files."""
