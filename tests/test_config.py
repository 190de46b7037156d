"""Configuration precedence and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from eulod.config import ConfigError, load_settings


def test_defaults():
    settings = load_settings(environ={})
    assert settings.base_iri == "http://127.0.0.1:5000/"
    assert settings.port == 5000
    assert settings.store_path == Path("build/store")


def test_file_then_environment_then_overrides(tmp_path: Path):
    config = tmp_path / "eulod.toml"
    config.write_text('[eulod]\nport = 6000\nbase_iri = "https://data.example.eu/"\nworkers = 3\n', "utf-8")
    settings = load_settings(config, environ={"EULOD_PORT": "7000"}, workers=None)
    assert settings.base_iri == "https://data.example.eu/"
    assert settings.port == 7000
    assert settings.workers == 3
    assert load_settings(config, environ={"EULOD_PORT": "7000"}, port=8000).port == 8000


def test_records_from_the_environment_are_a_path_list():
    settings = load_settings(environ={"EULOD_RECORDS": "a:b/c"})
    assert settings.records == (Path("a"), Path("b/c"))


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"EULOD_PORT": "many"}, "EULOD_PORT"),
        ({"EULOD_PORT": "70000"}, "EULOD_PORT"),
        ({"EULOD_BASE_IRI": "http://no-slash"}, "EULOD_BASE_IRI"),
        ({"EULOD_PERSONAL_DATA": "everything"}, "EULOD_PERSONAL_DATA"),
    ],
)
def test_bad_values_name_the_setting(environ, words):
    with pytest.raises(ConfigError, match=words):
        load_settings(environ=environ)


def test_a_broken_config_file_is_named(tmp_path: Path):
    config = tmp_path / "eulod.toml"
    config.write_text("port = = 1\n", "utf-8")
    with pytest.raises(ConfigError, match="eulod.toml"):
        load_settings(config, environ={})
