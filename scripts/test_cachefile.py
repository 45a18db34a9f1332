import json
import os

import pytest

import cachefile


def test_a_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "ab" / "key.json"
    cachefile.write_atomic(path, json.dumps({"a": 1}))
    cachefile.write_atomic(path, json.dumps({"a": 2}))
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["key.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path,
                                                             monkeypatch):
    path = tmp_path / "key.json"
    cachefile.write_atomic(path, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cachefile.write_atomic(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]
