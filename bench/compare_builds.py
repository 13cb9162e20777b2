"""Build the same projects with another git revision and with this tree, and compare every output byte for byte.

    python bench/compare_builds.py main            # main against the working tree
    python bench/compare_builds.py HEAD~3 HEAD     # two revisions

Scenarios: the example episode (every format and the preview), the example again at the widescreen preset with
relative media and FCPXML 1.13, and for Avid and Premiere only; `scriptkit check`, `scriptkit diff` and
`scriptkit refine` on the first project (an edit of the script); and the test fixtures' episode written by every
registered writer at 23.976, 29.97 DF and 30 fps.

Each revision runs in a subprocess with PYTHONPATH at its tree (a `git worktree` in a temp folder for a
revision). Both write to the same absolute paths (media URLs inside the files are absolute), one after the other.
Two things differ by design and are masked: the `key` of each output in manifest.json (a hash that includes the
writers' source code, so that a changed writer never reuses an old output), and the tool version; every other
byte must be the same. Exit status 0 when every file matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Run inside each revision's tree (cwd = the scratch folder, argv[1] = the revision's tree).
SCENARIOS = r"""
import shutil, subprocess, sys
from pathlib import Path

tree = Path(sys.argv[1])
example, style = Path("last-train.fountain"), Path("style.png")  # copied here: shots.yaml records the source path
shutil.copy(tree / "examples" / example, example)
shutil.copy(tree / "examples" / style, style)


def cli(*args):
    done = subprocess.run([sys.executable, "-m", "scriptkit", *map(str, args)], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


code, text = cli("build", example, "--style", style, "-o", "ep07", "-q")
assert code == 0, text
code, text = cli("build", example, "--style", style, "-o", "wide", "-t", "widescreen", "--no-preview",
                 "--relative-media", "--fcpxml-version", "1.13", "-q")
assert code == 0, text
code, text = cli("build", example, "--style", style, "-o", "premiere-avid", "--nle", "avid,premiere", "--no-preview",
                 "--no-burn-in", "-q")
assert code == 0, text
code, text = cli("check", "ep07")
Path("check.txt").write_text(f"{code}\n{text}")

v2 = Path("ep07-v2.fountain")
v2.write_text(example.read_text().replace("You said midnight.", "You said at midnight."))
edited = Path("ep07/the-last-train.fcpxml")
code, text = cli("diff", "ep07", edited)
Path("diff.txt").write_text(f"{code}\n{text}")
code, text = cli("refine", "ep07", "--edited", edited, "--script", v2, "-q")
Path("refine.txt").write_text(f"{code}\n{text}")

sys.path.insert(0, str(tree))
import exporters
from scriptkit.models import ExportOptions
from tests.fixtures import sample_timeline

for fps, drop in (("23.976", False), ("29.97", True), ("30", False)):
    folder = Path(f"fixture-{fps}{'-df' if drop else ''}").absolute()
    timeline = sample_timeline(folder, fps=fps, drop_frame=drop)
    options = ExportOptions(project_dir=str(folder), media_dir=str(folder / "media"), title=timeline.name,
                            drop_frame=drop)
    for name in exporters.available():
        fmt = exporters.get_format(name)
        if fmt.write is not None and name != "preview":
            suffix = "." + fmt.extension.lstrip(".")  # older registries spelled some without the dot
            fmt.write(timeline, folder / f"out-{name}{suffix}", options)
"""


def run_tree(tree: Path, scratch: Path) -> None:
    """Run the scenarios with `tree` first on the import path, in `scratch` (emptied first)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", SCENARIOS, str(tree)], cwd=scratch, env=env, check=True)


def files(folder: Path) -> dict[str, Path]:
    """Every file under `folder` by relative path, the generator cache left out (its entries are the media)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and "/.cache/" not in f"/{rel}":
            out[rel] = path
    return out


def masked(rel: str, data: bytes) -> bytes:
    """Bytes to compare: manifest output keys and the tool version masked (see the module docstring)."""
    if not rel.endswith("manifest.json"):
        return data
    manifest = json.loads(data)
    manifest.pop("tool_version", None)
    for output in manifest.get("outputs", []):
        output.pop("key", None)
    return json.dumps(manifest, indent=2, sort_keys=True).encode()


def compare(a: Path, b: Path) -> list[str]:
    fa, fb = files(a), files(b)
    problems = [f"only in the revision: {rel}" for rel in sorted(fa.keys() - fb.keys())]
    problems += [f"only in the new tree: {rel}" for rel in sorted(fb.keys() - fa.keys())]
    for rel in sorted(fa.keys() & fb.keys()):
        da, db = fa[rel].read_bytes(), fb[rel].read_bytes()
        if da != db and masked(rel, da) != masked(rel, db):
            problems.append(f"differs: {rel} ({len(da)} vs {len(db)} bytes)")
    print(f"compared {len(fa.keys() & fb.keys())} files")
    return problems


def checkout(rev: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(into), rev], check=True)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="git revision to compare against (e.g. main)")
    parser.add_argument("new", nargs="?", help="git revision to compare (default: the working tree)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-builds-") as tmp:
        tmp_path = Path(tmp)
        trees = [checkout(args.base, tmp_path / "base")]
        trees.append(checkout(args.new, tmp_path / "new") if args.new else ROOT)
        scratch = tmp_path / "scratch"
        results = []
        try:
            for n, tree in enumerate(trees):
                run_tree(tree, scratch)
                results.append(scratch.rename(tmp_path / f"result-{n}"))
            problems = compare(*results)
        finally:
            for tree in trees:
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    for line in problems:
        print(line)
    digest = hashlib.sha256("\n".join(problems).encode()).hexdigest()[:12]
    print("identical" if not problems else f"{len(problems)} differences ({digest})")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
