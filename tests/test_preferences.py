"""The settings file (tui/preferences.py): versioned JSON, atomic saves, and a bad file means the defaults plus one
sentence, never an exception."""

from __future__ import annotations

import json

import pytest

from tui import preferences as settings
from tui.preferences import Settings


def test_the_file_lives_in_the_platforms_config_folder_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("MICROGRAD_TUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # the Linux convention platformdirs follows
    assert settings.default_path() == tmp_path / "micrograd-tui" / "settings.json"
    monkeypatch.setenv("MICROGRAD_TUI_CONFIG", str(tmp_path / "x.json"))
    assert settings.default_path() == tmp_path / "x.json"


def test_a_missing_file_is_the_defaults_without_a_word(tmp_path):
    assert settings.load(tmp_path / "none.json") == (Settings(), None)


def test_saved_settings_load_back_and_the_file_is_versioned_json(tmp_path):
    path = tmp_path / "deeper" / "settings.json"
    chosen = Settings(theme="nord", export_folder=str(tmp_path / "out"))
    chosen.remember(tmp_path / "a.json")
    assert settings.save(chosen, path) is None
    assert json.loads(path.read_text())["version"] == settings.VERSION
    assert settings.load(path) == (chosen, None)
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary file left behind


def test_recent_sessions_are_most_recent_first_once_each_and_bounded(tmp_path):
    chosen = Settings()
    for i in range(settings.MAX_RECENT + 3):
        chosen.remember(tmp_path / f"{i}.json")
    chosen.remember(tmp_path / "5.json")
    assert len(chosen.recent) == settings.MAX_RECENT
    assert chosen.recent[0] == str(tmp_path / "5.json") and chosen.recent.count(str(tmp_path / "5.json")) == 1


@pytest.mark.parametrize(
    "content, words",
    [
        (b"{not json", "is not valid JSON"),
        (b"\xff\xfe", "is not valid JSON"),
        (b"[1, 2]", "does not hold a JSON object"),
        (b'{"version": 99, "theme": "nord"}', "has version 99"),
        (b'{"theme": "nord"}', "has version None"),
        (b"[" * 100_000, "larger than"),
    ],
)
def test_a_bad_file_is_the_defaults_and_one_sentence(tmp_path, content, words):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    loaded, notice = settings.load(path)
    assert loaded == Settings()
    assert words in notice and str(path) in notice and notice.endswith("using the defaults.")
    assert "\n" not in notice


def test_a_wrong_field_falls_back_alone(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "theme": "nord", "recent": "a.json", "export_folder": 3}))
    loaded, notice = settings.load(path)
    assert loaded == Settings(theme="nord")
    assert "recent, export_folder unreadable" in notice


def test_a_folder_that_is_a_file_is_a_sentence_not_an_exception(tmp_path):
    (tmp_path / "file").write_text("x")
    problem = settings.save(Settings(), tmp_path / "file" / "settings.json")
    assert problem.startswith("Settings were not saved to ") and "file" in problem
