"""`scriptkit build-season`: one cast, one shared cache, a project per episode, failures reported, reruns resumed;
on the local executor and on a real local Ray cluster (same bytes, a killed worker, a killed driver)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generators import IMAGE_BACKENDS, register
from scriptkit.build import BuildRequest
from scriptkit.cli import app
from scriptkit.season import build_season

ROOT = Path(__file__).resolve().parents[1]
SEASON = ROOT / "tests" / "season"
STYLE = ROOT / "examples" / "style.png"
FRAGILE = "tests.backends.fragile:FragileImages"


def _request(season: Path, out: Path, **values: object) -> BuildRequest:
    return BuildRequest(
        source=str(season), output=str(out), style=str(STYLE), nle="resolve", preview=False, quiet=True, **values
    )  # type: ignore[arg-type]


def _hashes(folder: Path) -> dict[str, str]:
    """Every file of a season folder but the cache and the locks, by its path in the folder."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".cache" not in path.parts and path.name != ".scriptkit.lock"
    }


def _same_season(built: Path, reference: Path) -> None:
    """Every file the same but each manifest's record of the config file a run was given (the only difference a
    test backend's options make: none of them enters a cache key)."""
    ours, theirs = _hashes(built), _hashes(reference)
    assert ours.keys() == theirs.keys()
    for name in ours:
        if name.endswith("manifest.json"):
            mine = json.loads((built / name).read_text())
            mine["options"].pop("config", None)
            assert mine == json.loads((reference / name).read_text()), name
        else:
            assert ours[name] == theirs[name], name


def _season_copy(tmp: Path, *extra: tuple[str, str]) -> Path:
    folder = tmp / "season"
    shutil.copytree(SEASON, folder)
    for name, text in extra:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _build_at(base: Path, name: str, request: BuildRequest) -> tuple[Path, dict]:
    """Build into base/out (every run at the same path, so absolute media paths compare) and move it to base/name."""
    out = Path(request.output)
    report = build_season(request)
    shutil.move(out, base / name)
    return base / name, report


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The test season built on the local executor, with a broken third episode."""
    base = tmp_path_factory.mktemp("season")
    broken = ("03-broken.fountain", "Title: Broken\n\nINT. ROOM - DAY\n\n[[an unclosed note\n\nMAYA\nHi.\n")
    season = _season_copy(base, broken)
    return _build_at(base, "local", _request(season, base / "out"))


def test_a_project_per_episode_one_cast_and_a_season_index(local: tuple[Path, dict]) -> None:
    out, report = local
    season = json.loads((out / "season.json").read_text())
    assert [e["folder"] for e in season["episodes"]] == ["01-doors", "02-late", "03-broken"]
    for name in ("01-doors", "02-late"):
        manifest = json.loads((out / name / "manifest.json").read_text())
        assert len(manifest["shots"]) == 2 and all((out / name / o["path"]).is_file() for o in manifest["outputs"])
    cast = yaml.safe_load((out / "cast.yaml").read_text())["cast"]
    assert [m["name"] for m in cast] == ["MAYA", "THEO"]
    voices = {m["name"]: m["voice"]["name"] for m in cast}
    for name in ("01-doors", "02-late"):
        episode = yaml.safe_load((out / name / "shots.yaml").read_text())
        assert {m["name"]: m["voice"]["name"] for m in episode["cast"]} == voices
    page = (out / "index.html").read_text()
    for entry in season["episodes"][:2]:
        assert f'href="{entry["storyboard"]}"' in page
        for keyframe in entry["keyframes"]:
            assert (out / keyframe).is_file() and f'src="{keyframe}"' in page
    assert report["run"]["episodes"]["01-doors"]["status"] == "built"


def test_the_same_line_and_cue_are_generated_once_for_the_season(local: tuple[Path, dict]) -> None:
    out, report = local
    shared_line = [out / ep / "media" / "voices" / "sc-platform-001-d1.wav" for ep in ("01-doors", "02-late")]
    assert os.path.samefile(*shared_line)  # both hard links to the one cache entry
    cache = report["cache"]
    assert cache["kinds"]["voice"] == {"used": 4, "per_episode": 4, "season": 3, "saved": 0.25}
    assert cache["kinds"]["cue"]["season"] == 1 and cache["saved"] == 0.2
    generated = [run.get("generated", {}) for run in report["run"]["episodes"].values()]
    assert sum(counts.get("voice", 0) for counts in generated) == 3


def test_a_failed_episode_is_reported_with_its_reason_and_the_others_are_built(local: tuple[Path, dict]) -> None:
    out, report = local
    source = out.parent / "season" / "03-broken.fountain"
    reason = f"{source}:5: unclosed note: '[[' has no matching ']]'"
    assert report["failed"] == [{"folder": "03-broken", "reason": reason}]
    assert report["run"]["episodes"]["03-broken"] == {"status": "failed", "reason": reason}
    assert "failed: " + reason.replace("'", "&#x27;") in (out / "index.html").read_text()


def test_the_cli_reports_failures_at_the_end_and_exits_1(tmp_path: Path) -> None:
    season = _season_copy(tmp_path, ("03-broken.yaml", "title: [unclosed\n"))
    (season / "02-late.yaml").unlink()
    args = ["build-season", str(season), "-o", str(tmp_path / "out"), "--style", str(STYLE), "--nle", "resolve"]
    result = CliRunner().invoke(app, [*args, "--no-preview", "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [e["ok"] for e in report["episodes"]] == [True, False]
    assert report["failed"][0]["reason"].endswith("03-broken.yaml:2: bad YAML: did not find expected ',' or ']'")
    assert result.stderr.strip().endswith("did not find expected ',' or ']'")  # said again at the end


def test_a_season_cast_file_wins_and_a_rerun_builds_only_what_changed(tmp_path: Path) -> None:
    pinned = "cast:\n- name: MAYA\n  voice: {backend: kokoro, name: af_bella}\n  seed: 77\n"
    season = _season_copy(tmp_path, ("cast.yaml", pinned))
    out = tmp_path / "out"
    build_season(_request(season, out))
    episode = yaml.safe_load((out / "02-late" / "shots.yaml").read_text())
    maya = next(m for m in episode["cast"] if m["name"] == "MAYA")
    assert (maya["voice"]["name"], maya["seed"]) == ("af_bella", 77)
    assets = json.loads((out / "01-doors" / "media" / "assets.json").read_text())
    assert assets["voices"]["sc-platform-001-d1"]["params"]["voice"] == "af_bella"
    before = _hashes(out)

    again = build_season(_request(season, out))["run"]["episodes"]
    assert {name: run["status"] for name, run in again.items()} == {"01-doors": "unchanged", "02-late": "unchanged"}
    assert _hashes(out) == before

    late = season / "02-late.yaml"
    late.write_text(late.read_text().replace("Late again.", "Later again."))
    changed = build_season(_request(season, out))["run"]["episodes"]
    assert changed["01-doors"]["status"] == "unchanged"
    assert changed["02-late"] == {**changed["02-late"], "status": "built", "generated": {"voice": 1}}


def test_a_bad_season_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(app, ["build-season", str(tmp_path / "empty"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no episodes in the season folder" in result.output
    season = _season_copy(tmp_path, ("cast.yaml", "cast:\n- name: MAYA\n  age: old\n"))
    result = CliRunner().invoke(app, ["build-season", str(season), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "cast.yaml:3: invalid cast member 1: age" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------------------- Ray


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real local Ray cluster (2 CPUs) for this module; its address is what --ray-address takes."""
    import ray

    register(IMAGE_BACKENDS, "fragile", FRAGILE)
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), previous]))  # workers import the tests too
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous
        IMAGE_BACKENDS.pop("fragile", None)


def _fragile(tmp: Path, **options: object) -> str:
    config = tmp / "scriptkit.toml"
    lines = ['[generators]\nimage = "fragile"\n[generators.fragile]\n']
    lines += [f"{key} = {json.dumps(value)}\n" for key, value in options.items()]
    config.write_text("".join(lines))
    return str(config)


def _season_part(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "run"}


def test_ray_gives_the_same_season_as_local(local: tuple[Path, dict], cluster: str, tmp_path: Path) -> None:
    base = local[0].parent
    request = _request(base / "season", base / "out", executor="ray", ray_address=cluster)
    ray_out, report = _build_at(base, "ray", request)
    assert _hashes(ray_out) == _hashes(local[0])
    assert _season_part(report) == _season_part(local[1])


def test_a_worker_killed_mid_batch_still_gives_the_same_season(
    local: tuple[Path, dict], cluster: str, tmp_path: Path
) -> None:
    base = local[0].parent
    marker = tmp_path / "died"
    config = _fragile(tmp_path, die_once=str(marker))
    request = _request(base / "season", base / "out", executor="ray", ray_address=cluster, config=config)
    killed_out, _ = _build_at(base, "killed", request)
    assert marker.is_file()  # a worker did die mid-batch
    _same_season(killed_out, local[0])


def test_a_job_failing_three_times_is_reported_with_its_shot(cluster: str, tmp_path: Path) -> None:
    season = _season_copy(tmp_path)
    log = tmp_path / "log"
    config = _fragile(tmp_path, fail="sc-car-001", log=str(log))
    (season / "01-doors.yaml").unlink()
    report = build_season(_request(season, tmp_path / "out", executor="ray", ray_address=cluster, config=config))
    [failure] = report["failed"]
    assert failure["folder"] == "02-late"
    assert failure["reason"] == (
        "generation failed: image for sc-car-001 failed 3 times: RuntimeError: out of memory drawing sc-car-001"
    )
    made = log.read_text().splitlines()
    assert made.count("Late Again:sc-car-001:failed") == 3
    assert [line for line in made if not line.endswith(":failed")] == ["Late Again:sc-platform-001"]
    assert len(_images(_records(tmp_path / "out"))) == 1


def test_a_killed_driver_resumes_without_regenerating_finished_assets(
    local: tuple[Path, dict], cluster: str, tmp_path: Path
) -> None:
    base = local[0].parent
    out = base / "out"
    code = f"from generators import IMAGE_BACKENDS, register; register(IMAGE_BACKENDS, 'fragile', {FRAGILE!r}); "
    code += "from scriptkit.cli import main; main()"
    args = ["build-season", str(base / "season"), "-o", str(out), "--style", str(STYLE), "--nle", "resolve"]
    args += ["--no-preview", "-q", "--config", _fragile(tmp_path, delay=1.0), "--executor", "ray"]
    driver = subprocess.Popen([sys.executable, "-c", code, *args, "--ray-address", cluster], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and driver.poll() is None and not _images(_records(out)):
            time.sleep(0.05)
        os.kill(driver.pid, signal.SIGKILL)
    finally:
        driver.wait()
    finished = _records(out)
    assert 1 <= len(_images(finished)) < 4, "the driver was killed mid-season"

    log = tmp_path / "rerun.log"
    config = _fragile(tmp_path, log=str(log))
    report = build_season(_request(base / "season", out, executor="ray", ray_address=cluster, config=config))
    assert [failure["folder"] for failure in report["failed"]] == ["03-broken"]
    assert len(log.read_text().splitlines()) == 4 - len(_images(finished))
    after = _records(out)
    assert {path: after[path] for path in finished} == finished  # every stored asset kept, none made again
    shutil.move(out, base / "resumed")
    _same_season(base / "resumed", local[0])


def _records(out: Path) -> dict[Path, tuple[int, int, str]]:
    """The shared cache's complete entries (a record is written after its bytes): inode, mtime and kind each."""
    found = {}
    for record in sorted((out / ".cache").rglob("*.json")):
        try:
            status, kind = record.stat(), json.loads(record.read_text())["kind"]
        except (OSError, ValueError, KeyError):
            continue
        found[record] = (status.st_ino, status.st_mtime_ns, kind)
    return found


def _images(records: dict[Path, tuple[int, int, str]]) -> list[Path]:
    return [path for path, (_, _, kind) in records.items() if kind == "image"]


def test_build_on_ray_with_more_calls_than_the_cluster_has_room_for(cluster: str, tmp_path: Path) -> None:
    """Pictures and cues at once, each batch asking for every CPU of the cluster (its actors wait for room in turn);
    `scriptkit build --executor ray` writes what the local executor writes."""
    words = ["HORN", "SLAM", "SCREECH", "CLICK", "HONK", "BUZZ"]
    shots = [
        {"id": f"sc-yard-{n:03d}", "size": "wide", "duration": 1.0, "location": "YARD", "action": f"A {word}.",
         "cues": [{"id": f"sc-yard-{n:03d}-c1", "word": word, "duration": 0.5, "line": n}]}
        for n, word in enumerate(words, 1)
    ]  # fmt: skip
    episode = tmp_path / "yard.yaml"
    episode.write_text(yaml.safe_dump({"title": "Yard", "width": 54, "height": 96, "fps": "30", "shots": shots}))
    results = {}
    for executor in ("local", "ray"):
        args = ["build", str(episode), "-o", str(tmp_path / "out"), "--nle", "resolve", "--no-preview", "-q"]
        extra = ["--executor", "ray", "--ray-address", cluster] if executor == "ray" else []
        result = CliRunner().invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        shutil.move(tmp_path / "out", tmp_path / executor)
        results[executor] = _hashes(tmp_path / executor)
    assert len(results["ray"]) > 12 and results["ray"] == results["local"]
