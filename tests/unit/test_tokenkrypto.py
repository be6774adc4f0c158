"""The session table's token encryption (services/web/lager.py Tokenkrypto; issue #14 §2: tokens never in
clear at rest): a round trip, rotation (a new key first still reads the old rows), a removed key reads nothing."""

import pytest
from cryptography.fernet import Fernet, InvalidToken

from services.web.lager import Tokenkrypto


def test_round_trip_and_none():
    k = Tokenkrypto(Fernet.generate_key().decode())
    kryptert = k.krypter("eyJhbGciOi.token")
    assert kryptert is not None and "eyJ" not in kryptert and k.dekrypter(kryptert) == "eyJhbGciOi.token"
    assert k.krypter(None) is None and k.dekrypter(None) is None


def test_rotation_reads_old_rows_and_a_removed_key_reads_none():
    gammel, ny = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    rad = Tokenkrypto(gammel).krypter("t")
    assert Tokenkrypto(f"{ny},{gammel}").dekrypter(rad) == "t"
    with pytest.raises(InvalidToken):
        Tokenkrypto(ny).dekrypter(rad)


def test_an_empty_setting_gets_a_key_of_its_own_and_a_bad_key_is_refused():
    a, b = Tokenkrypto(""), Tokenkrypto("")
    with pytest.raises(InvalidToken):
        b.dekrypter(a.krypter("t"))
    with pytest.raises(ValueError, match="Fernet"):
        Tokenkrypto("ikke-en-nokkel")
