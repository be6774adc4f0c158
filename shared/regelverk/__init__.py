"""Regelverk: the versioned durations (varighet.yaml) and the pure frist functions over them."""
