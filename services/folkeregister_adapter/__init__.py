"""Follows the Folkeregister change feed and publishes flytting, utvandring and død for NIR's deltakere."""
