"""AAF that links the right media: every clip of every version resolves, through its mob chain, to its own file.

A real project is built with the CLI, refined from its own unedited AAF, and both AAFs are walked with pyaaf2
from each composition clip down to the file locator, as Media Composer resolves a clip when it relinks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aaf2
import pytest
from typer.testing import CliRunner

from exporters import get_format
from scriptkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
STYLE = ROOT / "examples" / "style.png"
SCRIPT = """Title: Pigeon Loft

EXT. PIGEON LOFT - DAY

Maya climbs the ladder. Pigeons scatter.

MAYA
They know me here.

THEO
(shouting)
Come down!

A DOOR SLAMS.

WIPE TO:

INT. KITCHEN - NIGHT

Theo stirs a pot.

THEO
Dinner's cold.

MAYA
It always is.
"""


def _components(segment: Any) -> list[Any]:
    """The source clips inside a segment, through sequences, operation groups and transitions."""
    if isinstance(segment, aaf2.components.SourceClip):
        return [segment]
    found: list[Any] = []
    if isinstance(segment, aaf2.components.Sequence):
        for component in segment.components:
            found += _components(component)
    elif isinstance(segment, aaf2.components.OperationGroup):
        for inner in segment.segments:
            found += _components(inner)
    return found


def _resolve(clip: Any) -> tuple[list[str], list[str]]:
    """(mob names, file locators) met walking from a composition's source clip to the end of its chain."""
    names: list[str] = []
    locators: list[str] = []
    while clip is not None and clip.mob is not None:
        mob = clip.mob
        names.append(str(mob.name))
        descriptor = getattr(mob, "descriptor", None)
        if descriptor is not None and "Locator" in descriptor:
            locators += [str(loc["URLString"].value) for loc in descriptor["Locator"].value]
        slot = next((s for s in mob.slots if s.slot_id == clip.slot_id), None)
        inner = _components(slot.segment) if slot is not None else []
        clip = inner[0] if inner else None
    return names, locators


def walk(path: Path) -> dict[str, Any]:
    """Every composition clip's (slot name, clip's mob name, chain names, locators), and the file's mob ids."""
    with aaf2.open(str(path), "r") as handle:
        ids = [str(mob.mob_id) for mob in handle.content.mobs]
        masters = {str(mob.name): str(mob.mob_id) for mob in handle.content.mastermobs()}
        descriptors = []
        for mob in handle.content.sourcemobs():
            descriptor = mob.descriptor
            if descriptor is not None and "StoredWidth" in descriptor:
                descriptors.append(
                    (
                        descriptor["StoredWidth"].value,
                        descriptor["StoredHeight"].value,
                        str(descriptor["ImageAspectRatio"].value),
                    )
                )
        top = next(iter(handle.content.toplevel()))
        clips = []
        slot_names = []
        for slot in top.slots:
            if str(slot.media_kind) not in ("Picture", "Sound"):
                continue
            slot_names.append(str(slot.name))
            for clip in _components(slot.segment):
                if clip.mob is None:
                    continue
                names, locators = _resolve(clip)
                clips.append((str(slot.name), names, locators))
        return {"ids": ids, "masters": masters, "clips": clips, "descriptors": descriptors, "slots": slot_names}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aaf-links")
    script = folder / "loft.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    out = folder / "ep"
    result = CliRunner().invoke(
        app,
        [
            "build",
            str(script),
            "--style",
            str(STYLE),
            "-o",
            str(out),
            "-t",
            "vertical-drama",
            "--nle",
            "avid",
            "--no-preview",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    edited = folder / "edit.aaf"
    edited.write_bytes((out / "pigeon-loft.aaf").read_bytes())
    result = CliRunner().invoke(app, ["refine", str(out), "--edited", str(edited), "-q"])
    assert result.exit_code == 0, result.output
    return out


def _versions(project: Path) -> list[Path]:
    return [project / "pigeon-loft.aaf", project / "versions" / "v001" / "pigeon-loft.aaf"]


def test_every_clip_resolves_to_its_own_media_in_every_version(project: Path) -> None:
    for path in _versions(project):
        found = walk(path)
        assert len(found["ids"]) == len(set(found["ids"])), f"{path.name}: a mob id is used twice"
        assert len(found["clips"]) >= 10
        for slot, names, locators in found["clips"]:
            assert locators, f"{path}: {slot} {names[0]} has no file at the end of its chain"
            owner = names[0]
            # the adapter leaves the file source mob unnamed ("Mob"); every named mob is the clip's own
            assert all(name in (owner, "Mob") for name in names), f"{path}: {slot} {owner} -> {names}"
            stem = Path(locators[-1]).stem
            assert stem == owner or stem.startswith(f"{owner}-") or owner in stem, (
                f"{path}: clip {owner} on {slot} resolves to {locators[-1]}"
            )


def test_mob_ids_are_stable_for_unchanged_clips(project: Path) -> None:
    first, second = (walk(path) for path in _versions(project))
    assert first["masters"] == second["masters"]
    top_ids = set(first["ids"]) - set(first["masters"].values())
    # the composition and source mobs of two different files never collide with the other file's master mobs
    assert not top_ids & set(second["masters"].values())


def test_wipes_stay_wipes_and_pictures_keep_their_size_and_track_names(project: Path) -> None:
    for path in _versions(project):
        timeline = get_format("aaf").read(path)
        kinds = [
            (item.metadata.get("scriptkit") or {}).get("kind")
            for item in timeline.tracks[0]
            if item.schema_name() == "Transition"
        ]
        assert "wipe" in kinds, f"{path}: {kinds}"
        assert "dissolve" not in kinds
        found = walk(path)
        assert found["descriptors"]
        assert set(found["descriptors"]) == {(1080, 1920, "9/16")}
        assert found["slots"] == ["V1", "DIALOGUE MAYA", "DIALOGUE THEO", "SFX", "MUSIC"], found["slots"]
    edls = sorted(p.name for p in (project / "versions" / "v001").glob("*.edl"))
    assert edls == sorted(p.name for p in project.glob("*.edl"))
    assert not any("Sequence" in name for name in edls)
