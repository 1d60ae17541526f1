"""Placements into tables: assignments, reasons, summary sections, gender, floors, blocking pairs."""
