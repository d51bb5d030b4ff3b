"""Field encryption format, AAD binding, SM4-GCM, key files and blind indexes."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongzhi.privacy import crypto
from gongzhi.privacy.testing import TEST_KEY_1, TEST_KEY_2, use_keys

AAD = "residents.resident.id_number|identity"


def test_ciphertext_carries_version_algorithm_and_key_id():
    token = crypto.encrypt_text("110101199003071234", AAD)

    blob = base64.b64decode(token)
    header, nonce, sealed = crypto.parse_header(blob)
    assert (header.version, header.algorithm, header.kid) == (1, crypto.Algorithm.AES_256_GCM, "t1")
    assert len(nonce) == crypto.NONCE_BYTES
    assert len(sealed) == len("110101199003071234") + crypto.TAG_BYTES
    assert b"110101199003071234" not in blob


def test_round_trip_and_fresh_nonce_each_time():
    first = crypto.encrypt_text("张三", AAD)
    second = crypto.encrypt_text("张三", AAD)

    assert first != second
    assert crypto.decrypt_text(first, AAD) == crypto.decrypt_text(second, AAD) == "张三"


@pytest.mark.parametrize("position", [0, 1, 3, 10, 20, -1])
def test_tampered_ciphertext_is_rejected(position):
    blob = bytearray(base64.b64decode(crypto.encrypt_text("13800138000", AAD)))
    blob[position] ^= 0x01

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(base64.b64encode(bytes(blob)).decode(), AAD)


def test_ciphertext_of_another_field_is_rejected():
    token = crypto.encrypt_text("13800138000", "residents.resident.phone|contact")

    with pytest.raises(crypto.DecryptionError, match="authentication failed"):
        crypto.decrypt_text(token, AAD)


def test_unknown_key_id_and_garbage_are_rejected(settings):
    token = crypto.encrypt_text("x", AAD)
    use_keys(settings, f"other:{TEST_KEY_2}")

    with pytest.raises(crypto.DecryptionError, match="unknown key id"):
        crypto.decrypt_text(token, AAD)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text("not base64!!", AAD)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(base64.b64encode(b"\x01\x01").decode(), AAD)


def test_old_keys_keep_decrypting_after_a_new_active_key(settings):
    old = crypto.encrypt_text("旧值", AAD)
    use_keys(settings, f"t2:{TEST_KEY_2},t1:{TEST_KEY_1}")

    new = crypto.encrypt_text("新值", AAD)

    assert crypto.token_header(new).kid == "t2"
    assert crypto.decrypt_text(old, AAD) == "旧值"
    assert crypto.decrypt_text(new, AAD) == "新值"


def test_this_openssl_build_supports_sm4_gcm():
    # Debian's OpenSSL 3 ships SM4; if this fails, sm4-gcm must not be offered.
    assert crypto.sm4_gcm_supported() is True


def test_sm4_gcm_round_trip_and_tamper_rejection(settings):
    use_keys(settings, f"t1:{TEST_KEY_1}", cipher="sm4-gcm")
    token = crypto.encrypt_text("110101199003071234", AAD)

    assert crypto.token_header(token).algorithm is crypto.Algorithm.SM4_GCM
    assert crypto.decrypt_text(token, AAD) == "110101199003071234"
    blob = bytearray(base64.b64decode(token))
    blob[-1] ^= 0x80
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(base64.b64encode(bytes(blob)).decode(), AAD)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token, "residents.resident.phone|contact")


def test_sm4_ciphertexts_stay_readable_when_switching_back_to_aes(settings):
    use_keys(settings, f"t1:{TEST_KEY_1}", cipher="sm4-gcm")
    token = crypto.encrypt_text("国密", AAD)
    use_keys(settings, f"t1:{TEST_KEY_1}", cipher="aes-256-gcm")

    assert crypto.decrypt_text(token, AAD) == "国密"


def test_unavailable_sm4_fails_clearly(settings, monkeypatch):
    monkeypatch.setattr(crypto, "sm4_gcm_supported", lambda: False)
    use_keys(settings, f"t1:{TEST_KEY_1}", cipher="sm4-gcm")

    with pytest.raises(crypto.SM4Unavailable):
        crypto.keyring()


@pytest.mark.parametrize(
    "value",
    ["", "nokey", "k1:short", "bad id!:" + TEST_KEY_1, f"k1:{TEST_KEY_1},k1:{TEST_KEY_2}"],
)
def test_bad_key_lists_are_refused(value):
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_key_list(value)


def test_env_keys_need_a_separate_blind_index_key(settings):
    settings.GONGZHI_ENCRYPTION_KEYS = f"t1:{TEST_KEY_1}"
    settings.GONGZHI_BLIND_INDEX_KEY = ""
    crypto.reset_keyring()

    with pytest.raises(ImproperlyConfigured, match="GONGZHI_BLIND_INDEX_KEY"):
        crypto.keyring()


def test_embedded_key_file_is_created_once_with_mode_600(settings, tmp_path):
    path = tmp_path / "var" / "keys.json"
    settings.GONGZHI_ENCRYPTION_KEYS = ""
    settings.GONGZHI_KEY_FILE = str(path)
    crypto.reset_keyring()

    ring = crypto.keyring()
    token = crypto.encrypt_text("值", AAD)
    crypto.reset_keyring()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["active"] == ring.active
    assert data["index_key"] != data["keys"][ring.active]
    assert crypto.keyring() == ring
    assert crypto.decrypt_text(token, AAD) == "值"


def test_blind_index_normalises_and_separates_kinds():
    assert crypto.blind_index("11010119900307123x", kind="id_number") == crypto.blind_index(
        " 11010119900307123X ", kind="id_number"
    )
    assert crypto.blind_index("+86 138-0013-8000", kind="phone") == crypto.blind_index("13800138000", kind="phone")
    assert crypto.blind_index("13800138000", kind="phone") != crypto.blind_index("13800138000", kind="id_number")
    assert len(crypto.blind_index("13800138000", kind="phone")) == 64


def test_blind_index_depends_on_the_index_key(settings):
    first = crypto.blind_index("13800138000", kind="phone")
    settings.GONGZHI_BLIND_INDEX_KEY = TEST_KEY_2
    crypto.reset_keyring()

    assert crypto.blind_index("13800138000", kind="phone") != first
