"""The kokoro voice: misaki phonemes from espeak-ng, real Kokoro-82M speech, delivery, and a recogniser's ear."""

from __future__ import annotations

import numpy as np
import pytest

from generators import VoiceJob
from generators.audio import SAMPLE_RATE, Audio, median_f0, resample
from generators.delivery import delivery_for, finish_line, trim_silence
from generators.kokoro import KokoroVoices, phonemize_english, phonemizer, to_misaki, tokens_of, vocabulary
from scriptkit.errors import ScriptkitError
from scriptkit.mix import DIALOGUE_LUFS, loudness
from scriptkit.models import DialogueLine, Voice


def _job(text: str, voice: str, parenthetical: str | None = None, n: int = 1) -> VoiceJob:
    line = DialogueLine(id=f"sc01-x-001-d{n}", character="X", text=text, parenthetical=parenthetical, line=n)
    return VoiceJob(line=line, voice=Voice(backend="kokoro", name=voice))


@pytest.fixture(scope="module")
def spoken() -> dict[str, Audio]:
    jobs = [
        _job("Hold the doors, the train is leaving.", "af_heart", n=1),
        _job("Hold the doors, the train is leaving.", "am_michael", n=2),
        _job("Hold the doors, the train is leaving.", "af_heart", "(whispering)", n=3),
        _job("Hold the doors.", "af_heart", "(beat)", n=4),
    ]
    backend = KokoroVoices()
    try:
        return {job.line.id[-2:]: audio for job, audio in backend.generate(jobs)}
    finally:
        backend.close()


def test_espeak_ipa_becomes_misaki_phonemes() -> None:
    assert to_misaki("həlˈo^ʊ ðˈɛ^ɹ") == "həlˈO ðˈɛɹ"
    assert to_misaki("d^ʒˈʌmp t^ʃˈɜːt^ʃ") == "ʤˈʌmp ʧˈɜɹʧ"
    assert to_misaki("a^ɪ tˈe^ɪk ɔ^ɪl") == "I tˈAk Yl"
    phonemes = phonemize_english("Hold the doors! I said before midnight -- did you open it?")
    assert phonemes.startswith("hˈOld ðə dˈɔɹz!") and "?" in phonemes and "…" in phonemes
    assert set(phonemes) <= set(vocabulary())  # every symbol is a Kokoro token
    assert len(tokens_of(phonemes)) == len(phonemes)


def test_mandarin_has_its_front_end_and_other_languages_are_refused() -> None:
    from generators.kokoro_zh import phonemize_zh

    assert phonemizer("zh") is phonemize_zh and phonemizer("zh-CN") is phonemize_zh
    with pytest.raises(ScriptkitError, match="no phonemizer"):
        phonemizer("xx")


def test_women_speak_higher_than_men(spoken: dict[str, Audio]) -> None:
    woman, man = median_f0(spoken["d1"]), median_f0(spoken["d2"])
    assert 160 < woman < 300 and 80 < man < 150


def test_every_line_is_48k_trimmed_and_at_the_dialogue_loudness(spoken: dict[str, Audio]) -> None:
    line = spoken["d1"]
    assert line.sample_rate == SAMPLE_RATE and 1.2 < line.duration < 4.0
    assert loudness(line.samples, SAMPLE_RATE) == pytest.approx(DIALOGUE_LUFS, abs=1.0)
    assert len(trim_silence(line.samples, SAMPLE_RATE)) >= len(line.samples) - int(0.01 * SAMPLE_RATE)
    assert float(np.max(np.abs(line.samples))) < 0.9


def test_whispering_is_quieter_and_a_beat_waits(spoken: dict[str, Audio]) -> None:
    normal, whisper = loudness(spoken["d1"].samples, SAMPLE_RATE), loudness(spoken["d3"].samples, SAMPLE_RATE)
    assert normal - whisper == pytest.approx(10.0, abs=1.5)
    beat = spoken["d4"].samples
    assert not np.any(beat[: int(0.55 * SAMPLE_RATE)]) and np.any(beat[int(0.7 * SAMPLE_RATE) :])


def test_delivery_words() -> None:
    assert delivery_for("(shouting)", []).gain_db > 0 > delivery_for("(whispering)", []).gain_db
    assert delivery_for(None, ["O.S."]).band is not None and delivery_for("(on the phone)", []).band == (300, 3400)
    assert delivery_for(None, ["V.O."]).band is None and delivery_for(None, []).params() == {}
    silent = finish_line(Audio(np.zeros(24_000, np.float32), 24_000), delivery_for(None, []))
    assert silent.sample_rate == SAMPLE_RATE and not np.any(silent.samples)


def test_a_recogniser_understands_it(spoken: dict[str, Audio]) -> None:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16_000)
    pcm = (np.clip(resample(spoken["d1"].samples, SAMPLE_RATE, 16_000), -1, 1) * 32767).astype("<i2").tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    heard = set((decoder.hyp().hypstr if decoder.hyp() else "").split())
    assert len(heard & {"hold", "the", "doors", "train", "is", "leaving"}) >= 4, heard


def test_a_misnamed_voice_is_refused_while_planning() -> None:
    with pytest.raises(ScriptkitError, match="unknown kokoro voice 'af_nobody' for X"):
        KokoroVoices().params(_job("Hello.", "af_nobody"))
