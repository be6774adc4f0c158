"""Regelverk: the versioned durations (varighet.yaml), the pure frist functions over them (frister.py), the
frist's inputs derived from a person's facts (fristgrunnlag.py) and which avslutning is in force
(avslutning_i_kraft.py): the rules more than one service applies, each written once."""
