"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ZH_EPISODES = [
    ROOT / "tests" / "data" / name
    for name in ("zh_episode1.txt", "zh_episode2.txt", "zh_episode3.txt", "zh_episode4.fountain")
]


@pytest.fixture(scope="session")
def zh_episodes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The four Chinese episodes (three in the studios' native format, one in Fountain) built once for the whole
    run as a studio builds them: the vertical-drama-zh preset and the default backends (storyboard keyframes,
    Kokoro's Mandarin voices, synthesised cues), every format; the first also with its preview."""
    from scriptkit.build import BuildRequest, build_project

    out = tmp_path_factory.mktemp("zh-episodes")
    folders = []
    for n, script in enumerate(ZH_EPISODES, start=1):
        folder = out / f"ep{n}"
        request = BuildRequest(
            source=str(script),
            output=str(folder),
            style=str(ROOT / "examples" / "style.png"),
            template="vertical-drama-zh",
            preview=n == 1,
            quiet=True,
        )
        build_project(request)
        folders.append(folder)
    return folders
