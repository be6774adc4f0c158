"""The contracts: every message NIR avslutning carries. See topics.py for the catalogue."""
