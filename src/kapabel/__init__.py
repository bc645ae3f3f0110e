"""Kapabel: competence development for Danish municipalities."""

__version__ = "0.1.0"
