"""Figure: the four Chinese test episodes built with `-t vertical-drama-zh`, their length against the 60 s target.

Each episode (tests/data/zh_episode1-3.txt in the native format, zh_episode4.fountain) is built as the README's
command does, with the default backends (Pillow keyframes, Kokoro voices, synthesized cues) into a temp folder:

    scriptkit build <episode> --style examples/style.png -o <tmp>/<name> -t vertical-drama-zh --nle resolve

(--no-preview: the preview movie does not change the length). The table gives per episode: dialogue lines and
their Han characters, the planner's estimate (`planned_duration`: characters at 4.5 a second plus pauses,
shots clamped to the template), the built length (`duration`: laid out from the real voice lengths), its
difference from the target, the first cut (the hook must cut within 3 s), the seconds of voice, and the voice's
real speaking rate (Han characters per second of voice). Durations in seconds.

    python bench/zh_episode_lengths.py [--voice-backend kokoro|piper] [--keep DIR]

Mandarin lines need the Mandarin front end (generators/kokoro_zh.py); without it the Kokoro build stops with
that message, and `--voice-backend piper` measures with the (English) fallback voice, which spells Han
characters out and so overstates every length.

Measured 2026-12-05 (2 shared cores; Kokoro with the Mandarin front end of the voice work, generators/kokoro_zh.py):

    episode                lines chars  planned   built  vs 60 s  hook  voice chars/s
    zh_episode1.txt            8    63     27.6    27.6    -32.4  1.80   11.6    5.43
    zh_episode2.txt            7    54     24.6    24.6    -35.4  1.95   10.7    5.06
    zh_episode3.txt           12   139     56.1    56.1     -3.9  2.40   26.3    5.28
    zh_episode4.fountain      12   119     49.0    49.1    -10.9  3.00   23.1    5.14

Episodes 1-2 are short because their scripts are (7-8 lines, ~60 characters of speech: test fixtures), not
because of the timing. The built length equals the plan: Kokoro speaks Mandarin at 5.1-5.4 characters a second,
faster than the planner's 4.5, and a shot grows to hold its voice but never shrinks, so each spoken shot keeps
~15% of slack; voice fills under half of the screen time (the rest: hook, establishing, action, lead-in/tail).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scriptkit.build import BuildRequest, build_project  # noqa: E402
from scriptkit.errors import ScriptkitError  # noqa: E402
from scriptkit.parse import load_script  # noqa: E402

EPISODES = [ROOT / "tests" / "data" / name for name in ("zh_episode1.txt", "zh_episode2.txt", "zh_episode3.txt")]
EPISODES.append(ROOT / "tests" / "data" / "zh_episode4.fountain")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def measure(episode: Path, out: Path, voice_backend: str | None) -> dict[str, float | int | str]:
    script = load_script(episode)
    speech = [e.text for e in script.elements if e.type == "dialogue"]
    started = time.perf_counter()
    request = BuildRequest(
        source=str(episode),
        output=str(out),
        style=str(ROOT / "examples" / "style.png"),
        template="vertical-drama-zh",
        nle="resolve",
        preview=False,
        voice_backend=voice_backend,
        quiet=True,
    )
    manifest = build_project(request)
    wall = time.perf_counter() - started
    voice = sum(
        _wav_seconds(out / entry["path"]) for shot in manifest["shots"] for entry in shot.get("voices", {}).values()
    )
    chars = sum(len(HAN.findall(text)) for text in speech)
    first = manifest["shots"][0]["duration"] if manifest["shots"] else 0.0
    return {
        "episode": episode.name,
        "lines": len(speech),
        "chars": chars,
        "planned": manifest["planned_duration"],
        "built": manifest["duration"],
        "hook": first,
        "voice": voice,
        "cps": chars / voice if voice else 0.0,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice-backend", default=None, help="default: the build's default (kokoro)")
    parser.add_argument("--keep", type=Path, default=None, help="build into this folder and keep it")
    parser.add_argument("--target", type=float, default=60.0)
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="zh-lengths-"))
    rows = []
    for episode in EPISODES:
        try:
            rows.append(measure(episode, base / episode.stem, args.voice_backend))
        except ScriptkitError as exc:
            sys.exit(f"{episode.name}: {exc}")
    header = f"{'episode':<22}{'lines':>6}{'chars':>6}{'planned':>9}{'built':>8}{'vs 60 s':>9}{'hook':>6}"
    header += f"{'voice':>7}{'chars/s':>8}{'build s':>9}"
    print(header)
    for row in rows:
        print(
            f"{row['episode']:<22}{row['lines']:>6}{row['chars']:>6}{row['planned']:>9.1f}{row['built']:>8.1f}"
            f"{row['built'] - args.target:>+9.1f}{row['hook']:>6.2f}{row['voice']:>7.1f}{row['cps']:>8.2f}"
            f"{row['wall']:>9.1f}"
        )
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
