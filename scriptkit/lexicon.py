"""Word lists the shot planner reads: data, not code.

Everything here is a plain constant so a reader can see (and a user can extend) what the planner treats
as a sound, a shot, a camera move, a transition or a prop. All words are upper case; the planner matches
CAPS words of the action against them.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: CAPS words in action that are sounds: each becomes a `SoundCue` on the shot (with its time in the shot).
#: Visual events that are often written in CAPS (FLICKER, FLASH, GLOWS, ...) are deliberately NOT here.
SOUND_WORDS: Final[frozenset[str]] = _words(
    """
    ALARM ALARMS BANG BANGS BANGING BARK BARKS BARKING BEEP BEEPS BEEPING BELL BELLS BLAST BLASTS BLARES BLARING
    BOOM BOOMS BUZZ BUZZES BUZZING CHIME CHIMES CHIMING CLANG CLANGS CLANK CLANKS CLAP CLAPS CLATTER CLATTERS
    CLICK CLICKS CLICKING CRACK CRACKS CRACKLE CRACKLES CRASH CRASHES CREAK CREAKS CREAKING CRUNCH CRUNCHES
    DING DINGS EXPLODES EXPLOSION EXPLOSIONS GUNSHOT GUNSHOTS GROWL GROWLS HISS HISSES HONK HONKS HORN HORNS
    HOWL HOWLS HUM HUMS KNOCK KNOCKS KNOCKING POP POPS RATTLE RATTLES RING RINGS RINGING ROAR ROARS RUMBLE
    RUMBLES SCREAM SCREAMS SCREECH SCREECHES SHATTER SHATTERS SHOT SHOTS SIREN SIRENS SLAM SLAMS SLAMMED
    SLAMMING SMASH SMASHES SNAP SNAPS SPLASH SPLASHES SQUEAK SQUEAKS SQUEAL SQUEALS STOMP STOMPS THUD THUDS
    THUMP THUMPS THUNDER THUNDERS TICK TICKS VIBRATES WAIL WAILS WHIMPER WHISTLE WHISTLES WHOOSH WHOOSHES
    THWACK WHACK BOOMING BUZZER CLACK CLACKS THUNK THUNKS SMACK SMACKS WHIR WHIRS WHIRRING BEEPS HONKING
    """
)

#: CAPS words that are visual events or camera directions: never a prop, never a sound.
VISUAL_WORDS: Final[frozenset[str]] = _words(
    """
    FLICKER FLICKERS FLICKERING FLASH FLASHES FLASHING GLOW GLOWS GLOWING BLINK BLINKS SPARK SPARKS DARK
    DARKNESS BLACK WHITE SILENCE FREEZE FRAME SLOW MOTION FAST SUPER SUBTITLE TITLE CARD MONTAGE SERIES SHOTS
    INTERCUT FLASHBACK END BEGIN CONTINUOUS LATER MOMENTS NIGHT DAY MORNING EVENING DAWN DUSK
    PULL BACK PUSH PAN TILT TRACK TRACKING DOLLY ZOOM CRANE UP DOWN OUT IN REVEAL REVEALS SCENE
    CLOSE ON ANGLE WIDE INSERT POV REVERSE OVER SHOULDER AERIAL ESTABLISHING CU ECU MCU MS WS OTS
    INT EXT EST VO OS OC CONT'D CONTD CONT MORE THE AND OF TO A AN AT WE HE SHE IT IS I OK NO YES
    SCUFFLE FIGHT FIGHTS RUN RUNS STOP STOPS HUGE MASSIVE GIANT TINY BIG ALL NOT NEVER VERY NOW THEN
    """
)

#: Explicit shot lines: a line of action that starts with one of these (in CAPS) is a shot "as written".
#: Longest phrases first; value: (shot size, camera move or None, tag).
SHOT_PHRASES: Final[tuple[tuple[str, str, str | None, str], ...]] = (
    ("EXTREME CLOSE-UP ON", "extreme_close_up", None, "explicit"),
    ("EXTREME CLOSE UP ON", "extreme_close_up", None, "explicit"),
    ("EXTREME CLOSE-UP", "extreme_close_up", None, "explicit"),
    ("EXTREME CLOSE UP", "extreme_close_up", None, "explicit"),
    ("EXTREME CLOSE ON", "extreme_close_up", None, "explicit"),
    ("EXTREME WIDE ON", "extreme_wide", None, "explicit"),
    ("EXTREME WIDE SHOT", "extreme_wide", None, "explicit"),
    ("EXTREME WIDE", "extreme_wide", None, "explicit"),
    ("OVER THE SHOULDER", "over_the_shoulder", None, "explicit"),
    ("ESTABLISHING SHOT", "wide", None, "establishing"),
    ("BACK TO SCENE", "wide", None, "back_to_scene"),
    ("BACK TO THE SCENE", "wide", None, "back_to_scene"),
    ("CLOSE-UP ON", "close_up", None, "explicit"),
    ("CLOSE UP ON", "close_up", None, "explicit"),
    ("CLOSE-UP", "close_up", None, "explicit"),
    ("CLOSE UP", "close_up", None, "explicit"),
    ("CLOSEUP", "close_up", None, "explicit"),
    ("CLOSE ON", "close_up", None, "explicit"),
    ("CLOSE SHOT", "close_up", None, "explicit"),
    ("MEDIUM CLOSE", "medium_close", None, "explicit"),
    ("MEDIUM SHOT", "medium", None, "explicit"),
    ("MEDIUM ON", "medium", None, "explicit"),
    ("FULL SHOT", "medium_wide", None, "explicit"),
    ("TWO SHOT", "two_shot", None, "explicit"),
    ("TWO-SHOT", "two_shot", None, "explicit"),
    ("WIDE SHOT", "wide", None, "explicit"),
    ("WIDE ON", "wide", None, "explicit"),
    ("ANGLE ON", "medium", None, "explicit"),
    ("NEW ANGLE", "medium", None, "explicit"),
    ("REVERSE ANGLE", "medium", None, "explicit"),
    ("TRACKING SHOT", "medium_wide", "tracking", "explicit"),
    ("AERIAL SHOT", "extreme_wide", None, "explicit"),
    ("AERIAL VIEW", "extreme_wide", None, "explicit"),
    ("INSERT", "insert", None, "insert"),
    ("POV", "pov", None, "pov"),
    ("ECU", "extreme_close_up", None, "explicit"),
    ("ON", "medium", None, "explicit"),
)

#: Camera moves written in the action (lower or upper case), first match wins.
MOVE_PHRASES: Final[tuple[tuple[str, str], ...]] = (
    ("push in", "push_in"),
    ("pushes in", "push_in"),
    ("move in", "push_in"),
    ("pull back", "pull_out"),
    ("pulls back", "pull_out"),
    ("pull out", "pull_out"),
    ("pan left", "pan_left"),
    ("pans left", "pan_left"),
    ("pan right", "pan_right"),
    ("pans right", "pan_right"),
    ("tilt up", "tilt_up"),
    ("tilts up", "tilt_up"),
    ("tilt down", "tilt_down"),
    ("tilts down", "tilt_down"),
    ("tracking", "tracking"),
    ("handheld", "handheld"),
)

#: Verbs of fast movement: the camera follows (tracking). Verbs of violent motion: handheld.
TRACKING_VERBS: Final[frozenset[str]] = _words(
    "sprints sprint runs run races race chases chase flees flee dashes dash rushes rush bolts charges"
)
HANDHELD_VERBS: Final[frozenset[str]] = _words(
    "lurches lurch shakes shake stumbles stumble struggles struggle fights fight scuffle scuffles crashes"
)

#: Transitions as written in the script -> (kind, tag, wipe pattern). Matched on the upper-cased text with
#: trailing punctuation removed; `FADE IN` is also found in action, where the Fountain spec puts it.
#: kind "fade_in" / "fade_out" are planner-internal: fade transition_in on the next shot / transition_out on
#: the previous shot. "cut_to_black" is a hard cut (duration 0) on the previous shot's transition_out.
TRANSITIONS: Final[dict[str, tuple[str, str | None, str | None]]] = {
    "CUT TO": ("cut", None, None),
    "CUT": ("cut", None, None),
    "HARD CUT TO": ("cut", None, None),
    "SMASH CUT TO": ("cut", "smash_cut", None),
    "SMASH CUT": ("cut", "smash_cut", None),
    "MATCH CUT TO": ("cut", "match_cut", None),
    "MATCH CUT": ("cut", "match_cut", None),
    "JUMP CUT TO": ("cut", "jump_cut", None),
    "JUMP CUT": ("cut", "jump_cut", None),
    "TIME CUT TO": ("cut", "time_cut", None),
    "TIME CUT": ("cut", "time_cut", None),
    "TRANSITION TO": ("cut", None, None),
    "DISSOLVE TO": ("dissolve", "dissolve", None),
    "DISSOLVE": ("dissolve", "dissolve", None),
    "CROSS DISSOLVE TO": ("dissolve", "dissolve", None),
    "CROSS DISSOLVE": ("dissolve", "dissolve", None),
    "LAP DISSOLVE TO": ("dissolve", "dissolve", None),
    "LAP DISSOLVE": ("dissolve", "dissolve", None),
    "RIPPLE DISSOLVE TO": ("dissolve", "ripple_dissolve", None),
    "FADE IN": ("fade_in", "fade_in", None),
    "FADE UP": ("fade_in", "fade_in", None),
    "FADE IN FROM BLACK": ("fade_in", "fade_in", None),
    "FADE OUT": ("fade_out", "fade_out", None),
    "FADE TO BLACK": ("fade_out", "fade_to_black", None),
    "FADE TO": ("fade_out", "fade_to", None),
    "FADE OUT TO BLACK": ("fade_out", "fade_to_black", None),
    "CUT TO BLACK": ("cut_to_black", "cut_to_black", None),
    "SMASH TO BLACK": ("cut_to_black", "cut_to_black", None),
    "WIPE TO": ("wipe", "wipe", "barWipe"),
    "WIPE": ("wipe", "wipe", "barWipe"),
    "BARN DOOR WIPE TO": ("wipe", "wipe", "barnDoorWipe"),
    "CLOCK WIPE TO": ("wipe", "wipe", "clockWipe"),
    "IRIS OUT": ("wipe", "iris_out", "irisWipe"),
    "IRIS IN": ("wipe", "iris_in", "irisWipe"),
    "IRIS WIPE TO": ("wipe", "wipe", "irisWipe"),
    # Chinese short-drama scripts (scriptkit.parse.zh)
    "【切】": ("cut", None, None),
    "【转场】": ("cut", None, None),
    "【黑场】": ("fade_out", "fade_to_black", None),
    "【淡出】": ("fade_out", "fade_out", None),
    "【淡入】": ("fade_in", "fade_in", None),
    "【叠化】": ("dissolve", "dissolve", None),
    "【闪回】": ("dissolve", "flashback", None),
    "【闪回结束】": ("dissolve", "flashback_end", None),
}

#: Parentheticals that hold the moment: a reaction / hold shot of `template.beat` seconds.
BEAT_PARENTHETICALS: Final[frozenset[str]] = frozenset(
    ["beat", "beats", "a beat", "long beat", "a long beat", "pause", "a pause", "long pause", "a moment", "silence"]
)

#: Action paragraphs that are only a beat ("Beat.", "A long beat.") extend the current shot.
BEAT_ACTIONS: Final[frozenset[str]] = frozenset(["beat", "a beat", "long beat", "a long beat", "beats", "pause"])

#: Scene-heading times that are not a time of day: prompts use the light of the scene before.
CONTINUITY_TIMES: Final[frozenset[str]] = frozenset(
    [
        "CONTINUOUS",
        "CONT'D",
        "CONTINUED",
        "LATER",
        "MOMENTS LATER",
        "A MOMENT LATER",
        "SECONDS LATER",
        "SAME",
        "SAME TIME",
    ]
)

#: Prompt words for each shot size (the `size_words` variable of the prompt template).
SIZE_WORDS: Final[dict[str, str]] = {
    "extreme_wide": "extreme wide shot",
    "wide": "wide shot",
    "medium_wide": "medium wide shot",
    "medium": "medium shot",
    "medium_close": "medium close-up",
    "close_up": "close-up",
    "extreme_close_up": "extreme close-up",
    "two_shot": "two-shot",
    "over_the_shoulder": "over-the-shoulder shot",
    "insert": "insert close-up",
    "pov": "point-of-view shot",
}

MOVE_WORDS: Final[dict[str, str]] = {
    "static": "",
    "push_in": "slow push in",
    "pull_out": "pulling back",
    "pan_left": "panning left",
    "pan_right": "panning right",
    "tilt_up": "tilting up",
    "tilt_down": "tilting down",
    "handheld": "handheld camera",
    "tracking": "tracking shot",
}

INT_EXT_WORDS: Final[dict[str, str]] = {
    "INT": "interior, ",
    "EXT": "exterior, ",
    "INT/EXT": "interior and exterior, ",
    "EST": "establishing, ",
    "": "",
}

#: Speaking-rate model: pauses in seconds added per punctuation mark inside a dialogue line.
PAUSE_SECONDS: Final[dict[str, float]] = {
    ",": 0.15,
    ";": 0.25,
    ":": 0.25,
    "--": 0.3,
    "—": 0.3,
    "...": 0.4,
    "…": 0.4,
    ".": 0.35,
    "!": 0.35,
    "?": 0.35,
}

#: Chinese sound names (the bracket of `VO（钟声）：` or a word of the action): each becomes a `SoundCue`.
#: A bracket that ends in one of `ZH_SOUND_ENDINGS` (…声 a sound, …铃 a bell, …响 a report, …乐 music) names a
#: sound too; so does a VO whose whole text is onomatopoeia (`ZH_ONOMATOPOEIA` and dashes/punctuation).
ZH_SOUND_WORDS: Final[frozenset[str]] = _words(
    """
    雷声 钟声 敲门声 脚步声 枪声 电话铃声 电话铃 门铃声 门铃 铃声 闹钟 警笛 汽笛 鸣笛 喇叭声 刹车声 哭声 笑声 掌声
    风声 雨声 水声 碎裂声 玻璃碎裂声 关门声 开门声 摔门声 手机铃声 手机震动 音乐 背景音乐 鞭炮声 爆炸声 心跳声 音效
    """
)
ZH_SOUND_ENDINGS: Final[tuple[str, ...]] = ("声", "铃", "响", "乐")
ZH_ONOMATOPOEIA: Final[str] = "当铛咚叮嘀嗒答砰嘭轰隆哗啦咔嚓嘟呜滴吱嘎噔扑通哐啪嗡嘶"
