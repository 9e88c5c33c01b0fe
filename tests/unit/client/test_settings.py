"""Settings: the TOML file, its profiles, server URLs, damage, and where it lives."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from desktopchat.client import settings
from desktopchat.client.errors import SettingsError
from desktopchat.client.relay_client import normalize_server_url
from desktopchat.client.settings import (
    DEFAULT_EMBEDDED_PORT,
    DEFAULT_PROFILE,
    EMBEDDED,
    SETTINGS_FILE,
    Profile,
    Settings,
)
from desktopchat.paths import app_dirs


def write(config_dir: Path, text: str) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / SETTINGS_FILE
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ defaults


def test_without_a_file_the_defaults_use_the_embedded_hub(tmp_path: Path) -> None:
    loaded = settings.load(tmp_path / "nowhere")
    assert loaded == settings.default_settings()
    assert loaded.current == DEFAULT_PROFILE
    assert loaded.profile == Profile(DEFAULT_PROFILE, EMBEDDED, None)
    assert loaded.profile.embedded
    assert loaded.embedded_port == DEFAULT_EMBEDDED_PORT
    assert loaded.server_url(loaded.profile) == f"http://127.0.0.1:{DEFAULT_EMBEDDED_PORT}"
    assert not (tmp_path / "nowhere").exists(), "loading must not create anything"


def test_a_remote_profile_is_not_embedded_and_uses_its_url() -> None:
    remote = Profile("work", "https://chat.example.org", "alice")
    assert not remote.embedded
    assert settings.default_settings().server_url(remote) == "https://chat.example.org"


# ---------------------------------------------------------------------------- round trip


def test_save_then_load_gives_the_same_settings(tmp_path: Path) -> None:
    original = Settings(
        profiles={
            "local": Profile("local", EMBEDDED, "me"),
            "work": Profile("work", "https://chat.example.org:8443", "alice"),
            "lab": Profile("lab", "http://10.0.0.5:6001"),
        },
        current="work",
        embedded_port=7123,
    )
    settings.save(tmp_path, original)
    assert settings.load(tmp_path) == original
    assert [p.name for p in tmp_path.iterdir()] == [SETTINGS_FILE], "no temporary file left"


def test_with_profile_adds_and_switches_and_is_saved(tmp_path: Path) -> None:
    start = settings.default_settings()
    added = start.with_profile(Profile("work", "https://chat.example.org", "alice"))
    assert added.current == "work"
    assert set(added.profiles) == {"local", "work"}
    assert start.current == "local", "settings are immutable: the original is unchanged"
    kept = added.with_profile(Profile("lab", "http://lab:1"), make_current=False)
    assert kept.current == "work"
    settings.save(tmp_path, kept)
    assert settings.load(tmp_path) == kept


def test_unknown_tables_and_keys_survive_a_save(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "dark"\n'
        "[window]\n"
        'geometry = "AdnQywADAAAAAAA="\n'
        "splitter = [200, 600]\n"
        "[profiles.local]\n"
        'server = "embedded"\n',
    )
    loaded = settings.load(tmp_path)
    settings.save(tmp_path, loaded.with_profile(Profile("work", "https://chat.example.org")))
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    assert document["theme"] == "dark"
    assert document["window"] == {"geometry": "AdnQywADAAAAAAA=", "splitter": [200, 600]}
    assert document["current_profile"] == "work"
    assert document["profiles"]["work"] == {"server": "https://chat.example.org"}


def test_the_file_holds_no_token_field(tmp_path: Path) -> None:
    settings.save(tmp_path, settings.default_settings().with_profile(Profile("w", "http://h", "u")))
    text = (tmp_path / SETTINGS_FILE).read_text(encoding="utf-8")
    assert "token" not in text.lower()


def test_a_missing_current_profile_falls_back_to_an_existing_one(tmp_path: Path) -> None:
    write(tmp_path, 'current_profile = "gone"\n[profiles.work]\nserver = "http://h:1"\n')
    loaded = settings.load(tmp_path)
    assert loaded.current == "work"
    assert loaded.profile.server == "http://h:1"


def test_servers_in_the_file_are_normalized(tmp_path: Path) -> None:
    write(tmp_path, '[profiles.work]\nserver = "chat.example.org:8080/"\n')
    assert settings.load(tmp_path).profiles["work"].server == "http://chat.example.org:8080"


# ---------------------------------------------------------------------------- for_server


def test_for_server_without_a_url_is_the_current_profile() -> None:
    current = settings.default_settings().with_profile(Profile("work", "http://h:1", "al"))
    assert current.for_server(None) == Profile("work", "http://h:1", "al")


@pytest.mark.parametrize(
    "given",
    [
        "https://chat.example.org:8443",
        "https://chat.example.org:8443/",
        " https://chat.example.org:8443 ",
    ],
)
def test_for_server_finds_an_existing_profile_by_url(given: str) -> None:
    known = Profile("work", "https://chat.example.org:8443", "alice")
    current = settings.default_settings().with_profile(known, make_current=False)
    assert current.for_server(given) == known


def test_for_server_finds_a_host_port_profile_given_without_scheme() -> None:
    known = Profile("lab", "http://10.0.0.5:6001", "bob")
    current = settings.default_settings().with_profile(known, make_current=False)
    assert current.for_server("10.0.0.5:6001") == known


@pytest.mark.parametrize(
    ("given", "name", "url"),
    [
        ("https://chat.example.org/", "chat.example.org", "https://chat.example.org"),
        ("chat.example.org:6001", "chat.example.org:6001", "http://chat.example.org:6001"),
        ("http://127.0.0.1:9999", "127.0.0.1:9999", "http://127.0.0.1:9999"),
    ],
)
def test_for_server_makes_a_new_profile_named_by_host(given: str, name: str, url: str) -> None:
    current = settings.default_settings()
    assert current.for_server(given) == Profile(name, url, None)
    assert set(current.profiles) == {DEFAULT_PROFILE}, "nothing is added until saved"


def test_for_server_embedded_is_the_embedded_profile() -> None:
    mine = Profile("home", EMBEDDED, "me")
    current = Settings({"home": mine, "work": Profile("work", "http://h:1")}, current="work")
    assert current.for_server(EMBEDDED) == mine
    only_remote = Settings({"work": Profile("work", "http://h:1")}, current="work")
    assert only_remote.for_server(EMBEDDED) == Profile(DEFAULT_PROFILE, EMBEDDED)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("localhost:6001", "http://localhost:6001"),
        ("http://localhost:6001/", "http://localhost:6001"),
        ("https://chat.example.org", "https://chat.example.org"),
        ("https://chat.example.org///", "https://chat.example.org"),
        ("  https://chat.example.org/relay/  ", "https://chat.example.org/relay"),
        ("127.0.0.1", "http://127.0.0.1"),
    ],
)
def test_normalize_server_url(given: str, expected: str) -> None:
    assert normalize_server_url(given) == expected
    assert normalize_server_url(expected) == expected, "normalizing twice changes nothing"


# -------------------------------------------------------------------------------- damage


@pytest.mark.parametrize(
    "text",
    [
        "current_profile = [unclosed\n",
        "[profiles.local\n",
        'current_profile = "a"\ncurrent_profile = "b"\n',
        'embedded_port = "abc"\n',
        "embedded_port = 70000\n",
        "embedded_port = 0\n",
        'profiles = "local"\n',
        "profiles = [1, 2]\n",
        'profiles = { local = "embedded" }\n',
        "[profiles]\nlocal = 3\n",
    ],
)
def test_damaged_settings_raise_settings_error_naming_the_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        settings.load(tmp_path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value).strip()


def test_a_file_that_is_not_utf8_raises_settings_error(tmp_path: Path) -> None:
    path = tmp_path / SETTINGS_FILE
    path.write_bytes(b'current_profile = "\xff\xfe"\n')
    with pytest.raises(SettingsError, match=r"settings\.toml"):
        settings.load(tmp_path)


def test_an_unreadable_settings_path_raises_settings_error(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).mkdir()  # a directory where the file should be
    with pytest.raises(SettingsError, match=r"settings\.toml"):
        settings.load(tmp_path)


# ------------------------------------------------------------------------ where it lives


def test_desktopchat_home_holds_every_directory(desktopchat_home: Path) -> None:
    dirs = app_dirs()
    for directory in (dirs.config, dirs.data, dirs.cache, dirs.logs):
        assert directory.is_relative_to(desktopchat_home.resolve())
    assert len({dirs.config, dirs.data, dirs.cache, dirs.logs}) == 4


def test_settings_saved_to_app_dirs_land_under_desktopchat_home(
    desktopchat_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    saved = settings.default_settings().with_profile(Profile("w", "http://h:1", "u"))
    settings.save(app_dirs().config, saved)
    files = [p for p in desktopchat_home.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [SETTINGS_FILE]
    assert settings.load(app_dirs().config) == saved
    # Another home is another set of settings.
    monkeypatch.setenv("DESKTOPCHAT_HOME", str(tmp_path / "other"))
    assert settings.load(app_dirs().config) == settings.default_settings()
