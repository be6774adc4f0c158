"""The regelmotor's pure domain: per-deltaker facts (tilstand), the rules (regler) and the difference from
what was already published (differanse). No I/O, no clock."""

from services.regelmotor.domain.differanse import Resultat, differanse
from services.regelmotor.domain.regler import Frister, Utledning, frister, utled
from services.regelmotor.domain.tilstand import Tilstand, UkjentHendelse, anvend, med_idag

__all__ = [
    "Frister",
    "Resultat",
    "Tilstand",
    "UkjentHendelse",
    "Utledning",
    "anvend",
    "differanse",
    "frister",
    "med_idag",
    "utled",
]
