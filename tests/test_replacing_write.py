"""Files rewritten in one step (checkpoints) never touch a neighbour and never half-write."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rdp._paths import replacing
from rdp.estimate.checkpoint import Checkpoint, key


def test_a_checkpoint_leaves_a_users_tmp_file_alone(tmp_path):
    """The old scheme wrote NAME.tmp and renamed it; a user's NAME.tmp was lost. The twin
    checks that the checkpoint itself was written (the test is not vacuous)."""
    path = tmp_path / "point.json"
    neighbour = tmp_path / "point.json.tmp"
    neighbour.write_text("the user's own notes")
    checkpoint = Checkpoint(path, key(np.arange(5.0), {"D": 0.3}))
    checkpoint.replicates = [0.25, 0.5]
    checkpoint.save()
    assert neighbour.read_text() == "the user's own notes"
    assert json.loads(path.read_text())["replicates"] == [0.25, 0.5]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["point.json", "point.json.tmp"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        with replacing(path) as temporary:
            temporary.write_text("half")
            raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    # twin: without the failure the new contents replace the old ones
    with replacing(path) as temporary:
        temporary.write_text("new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
