"""The contract examples (shared/events/eksempler.py), under the names the tests use."""

from shared.events.eksempler import DELTAKER, FNR, IDENTITET, NOW, PERSON, all_examples, envelope, kommune_avslutning

__all__ = ["DELTAKER", "FNR", "IDENTITET", "NOW", "PERSON", "all_examples", "envelope", "kommune_avslutning"]
