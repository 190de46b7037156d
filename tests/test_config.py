"""Configuration precedence and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from eulod.core.config import ConfigError, load_settings, settings_environ


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
        ({"EULOD_SERVER": "apache"}, "EULOD_SERVER"),
        ({"EULOD_SUMMARY_COLLABORATIONS": "-1"}, "EULOD_SUMMARY_COLLABORATIONS"),
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


def test_settings_travel_to_server_workers_through_the_environment(tmp_path: Path):
    """`eulod serve` exports its settings; each worker process reads them back unchanged."""
    settings = load_settings(environ={}, port=6123, records=f"{tmp_path}/a:{tmp_path}/b", themes="ECON, TECH",
                             query_timeout=2.5, server="gunicorn")
    assert load_settings(environ=settings_environ(settings)) == settings
