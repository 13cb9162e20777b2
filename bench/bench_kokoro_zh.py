"""Benchmark the kokoro voice in Mandarin: real-time factor against English lines of similar length (the peer).

    python bench/bench_kokoro_zh.py [--repeat 3] [--threads N]

Ten Mandarin lines of a short drama (one with a number and a Latin word) in two Mandarin voices, and ten English
lines of about the same spoken length in two English voices, through the same backend and model session, as a
build runs them (phonemes, synthesis, delivery to 48 kHz). Prints per run and as the median of --repeat runs:
- real-time factor = synthesis seconds / audio seconds, Mandarin and English, and their ratio;
- the front ends' share: seconds spent in `phonemize_zh` and in `phonemize_english` (espeak-ng) per run;
- one-off costs printed apart: the model's join, check and load, and the Mandarin front end's first load (jieba).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generators import VoiceJob  # noqa: E402
from generators.kokoro import KokoroVoices, phonemize_english  # noqa: E402
from scriptkit.models import DialogueLine, Voice  # noqa: E402

MANDARIN = [
    "你还敢回来？",
    "这是我家，我为什么不敢回来？",
    "三年了，他一点都没变。",
    "签了它，你就可以走了。",
    "小姐，您真的要走吗？",
    "不，我不会走。",
    "妈，你一定要好起来。",
    "我给你转了12.5万，你还想怎么样？",
    "把iPhone还给我，这是我最后的东西。",
    "你以为离开了林家，就没有人知道你是谁了吗？",
]
ENGLISH = [
    "You dare come back here?",
    "This is my house. Why wouldn't I come back?",
    "Three years, and he hasn't changed at all.",
    "Sign it, and you're free to go.",
    "Miss, are you really leaving?",
    "No. I'm not leaving.",
    "Mom, you have to get better.",
    "I sent you a hundred and twenty-five thousand. What more do you want?",
    "Give me back the phone. It's the last thing I have.",
    "You think leaving this family means nobody knows who you are?",
]


def jobs(lines: list[str], voices: tuple[str, str], language: str) -> list[VoiceJob]:
    out = []
    for n, text in enumerate(lines, start=1):
        line = DialogueLine(id=f"sc01-{language}-001-d{n}", character="X", text=text, line=n)
        out.append(VoiceJob(line=line, voice=Voice(backend="kokoro", name=voices[n % 2]), language=language))
    return out


def run(backend: KokoroVoices, batch: list[VoiceJob]) -> tuple[float, float]:
    """(synthesis seconds, audio seconds) of a batch."""
    started = time.perf_counter()
    audio = sum(clip.duration for _, clip in backend.generate(batch))
    return time.perf_counter() - started, audio


def front_end_seconds(lines: list[str], phonemize) -> float:
    started = time.perf_counter()
    for text in lines:
        phonemize(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: every core)")
    args = parser.parse_args()
    backend = KokoroVoices(options={"threads": args.threads} if args.threads else {})
    print(f"kokoro, {backend.threads} ONNX Runtime threads on {os.cpu_count()} cores, {args.repeat} runs")
    started = time.perf_counter()
    backend.session()
    print(f"one-off: model joined, checked and loaded in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    from generators.kokoro_zh import phonemize_zh

    phonemize_zh("你好")
    print(f"one-off: Mandarin front end (misaki, jieba, pypinyin) loaded in {time.perf_counter() - started:.2f} s")
    zh = jobs(MANDARIN, ("zf_xiaoxiao", "zm_yunxi"), "zh")
    en = jobs(ENGLISH, ("af_heart", "am_michael"), "en")
    rtf: dict[str, list[float]] = {"zh": [], "en": []}
    fronts: dict[str, list[float]] = {"zh": [], "en": []}
    for attempt in range(1, args.repeat + 1):
        for language, batch in (("zh", zh), ("en", en)):
            seconds, audio = run(backend, batch)
            rtf[language].append(seconds / audio)
            print(f"run {attempt} {language}: {seconds:6.2f} s for {audio:6.2f} s of speech, RTF {seconds / audio:.3f}")
        fronts["zh"].append(front_end_seconds(MANDARIN, phonemize_zh))
        fronts["en"].append(front_end_seconds(ENGLISH, phonemize_english))
    backend.close()
    zh_rtf, en_rtf = statistics.median(rtf["zh"]), statistics.median(rtf["en"])
    print(f"median RTF Mandarin {zh_rtf:.3f}, English (peer) {en_rtf:.3f}, Mandarin/English {zh_rtf / en_rtf:.2f}")
    print(
        f"median front end per 10 lines: phonemize_zh {statistics.median(fronts['zh']):.3f} s, "
        f"phonemize_english (espeak-ng) {statistics.median(fronts['en']):.3f} s"
    )


if __name__ == "__main__":
    main()
