"""micrograd.files and the saves built on it (issue 11): only regular files are read, under a size limit; a save
is atomic, follows a symlink, keeps the file's mode, leaves no temp file behind and works for a 245-character
name; a deeply nested session is refused before any parser recurses into it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from micrograd import files
from tui import exports, session


def a_session() -> session.Session:
    return session.Session(expression="a = Value(2.0)", config=session.new_workbench().start["config"])


def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # open() for reading would block until a writer comes
    with pytest.raises(files.FileRefused, match=r"^pipe is a named pipe \(FIFO\), not a file; it was not read$"):
        files.read_bytes(tmp_path / "pipe", 100)
    with pytest.raises(session.SessionError, match="pipe is a named pipe"):
        session.load(tmp_path / "pipe")


@pytest.mark.parametrize(
    "path, sentence",
    [
        ("/dev/null", "null is a device, not a file"),
        ("/tmp", "tmp is a folder, not a file"),
        ("bad\x00name", r"cannot contain a NUL character"),
        ("x" * 300, "a file or folder name in that path is 300 bytes; the limit is 255"),
        ("/nonexistent/file.json", "file.json does not exist"),
        ("\ud800.json", "cannot be a file name"),
    ],
)
def test_what_is_not_a_readable_file_is_one_sentence(path, sentence):
    with pytest.raises(files.FileRefused, match=sentence):
        files.read_bytes(path, 100)


def test_the_size_limit_is_checked_before_reading(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(files.FileRefused, match=r"big is larger than 100 bytes \(101 bytes\)"):
        files.read_bytes(tmp_path / "big", 100)
    assert files.read_bytes(tmp_path / "big", 10, head=True) == b"x" * 10


def test_control_characters_in_a_name_are_escaped_in_the_sentence(tmp_path):
    name = "a\x1b]0;PWNED\x07b"
    with pytest.raises(files.FileRefused) as caught:
        files.read_bytes(tmp_path / name, 100)
    assert str(caught.value) == "a\\x1b]0;PWNED\\x07b does not exist"


def test_saving_onto_a_symlink_writes_the_file_it_points_to(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "lesson.json"
    session.save(a_session(), target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    changed = a_session()
    changed.title = "through the link"
    assert session.save(changed, link) == target
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert session.load(target).title == "through the link"
    assert sorted(os.listdir(tmp_path / "real")) == ["lesson.json"] and sorted(os.listdir(tmp_path)) == [
        "link.json",
        "real",
    ]


@pytest.mark.parametrize("mode", [0o444, 0o600, 0o640])
def test_saves_and_exports_keep_the_files_mode(tmp_path, mode):
    path = tmp_path / "kept.json"
    session.save(a_session(), path)
    os.chmod(path, mode)
    session.save(a_session(), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    export = tmp_path / "graph.dot"
    export.write_text("old")
    os.chmod(export, mode)
    exports.write_atomic(export, "digraph {}\n")
    assert stat.S_IMODE(os.stat(export).st_mode) == mode and export.read_text() == "digraph {}\n"


def test_a_temp_file_left_by_a_killed_save_is_reused_and_old_ones_removed(tmp_path):
    path = tmp_path / "lesson.json"
    leftover = tmp_path / files.temp_name(path)
    leftover.write_bytes(b"half a session" * 1000)
    old_style = tmp_path / ".lesson.json.ab12cd_9.tmp"  # tempfile.mkstemp's name, before this fix
    old_style.write_bytes(b"older half")
    session.save(a_session(), path)
    assert sorted(os.listdir(tmp_path)) == ["lesson.json"]


def test_a_245_character_name_saves_and_loads(tmp_path):
    path = tmp_path / ("n" * 240 + ".json")
    session.save(a_session(), path)
    assert session.load(path).expression == "a = Value(2.0)" and len(files.temp_name(path)) <= 255
    assert os.listdir(tmp_path) == [path.name]


def test_a_failed_verify_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "keep.txt"
    path.write_bytes(b"original")

    def refuse(_written):
        raise files.FileRefused("no")

    with pytest.raises(files.FileRefused):
        files.write_atomic(path, b"new", refuse)
    assert path.read_bytes() == b"original" and os.listdir(tmp_path) == ["keep.txt"]


@pytest.mark.parametrize("where", ["unknown key", "training.lr", "an action"])
@pytest.mark.parametrize("depth", [33, 500, 990, 100_000])
def test_deep_json_anywhere_is_refused_naming_the_line(tmp_path, where, depth):
    data = json.loads(session.dumps(a_session()))
    nested = "[" * depth + "]" * depth
    text = json.dumps(data, indent=1)
    marker = '"__deep__"'
    if where == "unknown key":
        data["notes"] = "__deep__"
    elif where == "training.lr":
        data["config"]["training"]["lr"] = {"schedule": "__deep__"}
    else:
        data["actions"] = [{"do": "select", "label": "__deep__"}]
    text = json.dumps(data, indent=1).replace(marker, nested)
    (tmp_path / "deep.json").write_text(text)
    with pytest.raises(
        session.SessionError,
        match=r"^deep.json nests lists or objects more than 32 levels deep \(line \d+, column \d+\)",
    ):
        session.load(tmp_path / "deep.json")


def test_brackets_inside_strings_do_not_count_as_nesting():
    session.check_depth(json.dumps({"label": "[" * 5000 + '\\"{' * 100}))
