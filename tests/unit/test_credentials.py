"""The hub's app credentials: shapes the libraries accept, a private file, reuse, damage."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pusher
import pytest
from pusher.pusher_client import PusherClient

from desktopchat.server.credentials import (
    CREDENTIALS_FILE,
    AppCredentials,
    CredentialsError,
    generate,
    load_or_create,
    validate,
)

GOOD = AppCredentials(app_id="123456", key="278d425bdf160c739803", secret="7ad3773142a6692b25b8")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------------------- generate


def test_generated_credentials_are_valid_and_accepted_by_pusher_http_python() -> None:
    for _ in range(50):
        creds = generate()
        assert creds.app_id.isascii()
        assert creds.app_id.isdigit()
        assert validate(creds) is creds
        client = PusherClient(app_id=creds.app_id, key=creds.key, secret=creds.secret)
        assert client.app_id == creds.app_id  # PusherClient raises ValueError if not numeric


def test_generated_credentials_differ_each_time() -> None:
    first, second = generate(), generate()
    assert first.key != second.key
    assert first.secret != second.secret


def test_repr_and_str_hide_the_secret() -> None:
    creds = generate()
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert creds.secret not in text
        assert creds.key in text
        assert creds.app_id in text


# ------------------------------------------------------------------------------- validate


@pytest.mark.parametrize(
    "app_id",
    ["abc", "", "12a", "-1", "1.5", " 1", "1 ", "app-id", "\u00b2", "\u0661\u0662\u0663"],
    ids=[
        "letters",
        "empty",
        "mixed",
        "negative",
        "decimal",
        "leading-space",
        "trailing-space",
        "soketi-default",
        "superscript-two",
        "arabic-indic-digits",
    ],
)
def test_validate_rejects_an_app_id_pusher_http_python_rejects(app_id: str) -> None:
    # pusher-http-python checks \A[0-9]+\Z; whatever it refuses, the hub must refuse up front.
    with pytest.raises(ValueError, match="app id"):
        pusher.Pusher(app_id=app_id, key=GOOD.key, secret=GOOD.secret)

    with pytest.raises(CredentialsError):
        validate(AppCredentials(app_id, GOOD.key, GOOD.secret))


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("a:b", GOOD.secret),
        (GOOD.key, "s:ecret"),
        ("", GOOD.secret),
        (GOOD.key, ""),
        ("k\u00e9y", GOOD.secret),
        (GOOD.key, "secr\u00e9t"),
        ("key\n", GOOD.secret),
        (GOOD.key, "sec\tret"),
    ],
    ids=[
        "colon-in-key",
        "colon-in-secret",
        "empty-key",
        "empty-secret",
        "non-ascii-key",
        "non-ascii-secret",
        "newline-in-key",
        "tab-in-secret",
    ],
)
def test_validate_rejects_unusable_key_or_secret(key: str, secret: str) -> None:
    with pytest.raises(CredentialsError):
        validate(AppCredentials(GOOD.app_id, key, secret))


def test_validate_error_never_contains_the_secret() -> None:
    secret = "s:" + "x" * 30
    with pytest.raises(CredentialsError) as raised:
        validate(AppCredentials(GOOD.app_id, GOOD.key, secret))
    assert secret not in str(raised.value)


def test_validate_accepts_good_credentials() -> None:
    assert validate(GOOD) is GOOD


# -------------------------------------------------------------------------- load_or_create


def test_first_load_creates_an_owner_only_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"

    creds = load_or_create(data_dir)

    path = data_dir / CREDENTIALS_FILE
    assert mode(path) == 0o600
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "app_id": creds.app_id,
        "key": creds.key,
        "secret": creds.secret,
    }
    assert validate(creds) is creds
    assert not (data_dir / "hub-credentials.tmp").exists()


def test_file_is_owner_only_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        load_or_create(tmp_path)
    finally:
        os.umask(previous)

    assert mode(tmp_path / CREDENTIALS_FILE) == 0o600


def test_file_is_owner_only_even_if_a_stale_temporary_file_was_readable(tmp_path: Path) -> None:
    # A crash between open() and replace() leaves hub-credentials.tmp behind; O_CREAT keeps
    # an existing file's mode, so the secret must not inherit a world-readable one.
    stale = tmp_path / "hub-credentials.tmp"
    stale.write_text("partial")
    stale.chmod(0o644)

    load_or_create(tmp_path)

    assert mode(tmp_path / CREDENTIALS_FILE) == 0o600


def test_second_load_reuses_the_stored_credentials(tmp_path: Path) -> None:
    first = load_or_create(tmp_path)
    before = (tmp_path / CREDENTIALS_FILE).read_bytes()

    second = load_or_create(tmp_path)

    assert second == first
    assert (tmp_path / CREDENTIALS_FILE).read_bytes() == before


def test_stored_credentials_are_loaded_as_given(tmp_path: Path) -> None:
    (tmp_path / CREDENTIALS_FILE).write_text(
        json.dumps({"app_id": 42, "key": "k1", "secret": "s1"}), encoding="utf-8"
    )

    assert load_or_create(tmp_path) == AppCredentials("42", "k1", "s1")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b"[]", id="list"),
        pytest.param(b'"text"', id="string"),
        pytest.param(b"null", id="null"),
        pytest.param(b'{"app_id": "1", "key": "k"}', id="missing-secret"),
        pytest.param(b'{"key": "k", "secret": "s"}', id="missing-app-id"),
        pytest.param(b'{"app_id": "app", "key": "k", "secret": "s"}', id="non-numeric-id"),
        pytest.param(b'{"app_id": "1", "key": "k:1", "secret": "s"}', id="colon-in-key"),
        pytest.param(b'{"app_id": "1", "key": "", "secret": "s"}', id="empty-key"),
    ],
)
def test_damaged_file_raises_credentials_error_and_is_left_alone(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / CREDENTIALS_FILE
    path.write_bytes(content)

    with pytest.raises(CredentialsError):
        load_or_create(tmp_path)

    assert path.read_bytes() == content  # never silently replaced: the user decides


def test_damaged_file_error_names_the_file(tmp_path: Path) -> None:
    (tmp_path / CREDENTIALS_FILE).write_text("{oops", encoding="utf-8")

    with pytest.raises(CredentialsError, match=CREDENTIALS_FILE):
        load_or_create(tmp_path)
