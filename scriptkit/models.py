"""The data contract of scriptkit.

Every stage reads and writes these pydantic models: the parsers produce a `Script`, the planner a
`ShotList`, the generators an `Assets` record, and the timeline is assembled from a `ShotList` plus its
`Assets`. Generators and exporters import these models and never each other.

Times in the shot list are seconds (what a person edits in shots.yaml); the timeline turns them into
frames of the shot list's rate. Rates are exact rationals written as strings: "30", "24000/1001".
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scriptkit import kinds

ElementType = Literal[
    "scene_heading",
    "action",
    "character",
    "parenthetical",
    "dialogue",
    "lyric",
    "transition",
    "centered",
    "note",
    "section",
    "synopsis",
    "page_break",
]

Style = Literal["bold", "italic", "underline"]


# Limits: integers within int64 (what OTIO metadata and every writer hold), times within a day, texts within
# what a person writes (a dialogue line goes to a speech model whole: 5,000 characters is about 18 minutes).
MAX_INT = 2**63 - 1
MAX_SEED = 2**32 - 1
MAX_SECONDS = 3600.0
MAX_ID = 120
MAX_NAME = 200
MAX_TITLE = 300
MAX_LINE = 5_000
MAX_PROMPT = 5_000
MAX_TEXT = 20_000
MAX_PIXELS = 8192
Name = Annotated[str, Field(max_length=MAX_NAME)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class StyledRun(_Model):
    """A piece of an element's text with the emphasis it carries (Fountain `*` `**` `_`, FDX Style)."""

    text: str
    styles: list[Style] = Field(default_factory=list)


class Element(_Model):
    """One paragraph of a screenplay, with the 1-based source line it starts on."""

    type: ElementType
    text: str = Field(description="Plain text: emphasis markers, notes and boneyard removed.")
    line: int = Field(ge=1, description="1-based line of the source file where the element starts.")
    runs: list[StyledRun] = Field(default_factory=list, description="Text split by emphasis style.")
    name: str | None = Field(default=None, description="character: the name without extensions.")
    extensions: list[str] = Field(default_factory=list, description="character: e.g. ['V.O.', \"CONT'D\"].")
    dual: bool = Field(default=False, description="character: the second speaker of dual dialogue.")
    number: str | None = Field(default=None, description="scene_heading: scene number such as '12A'.")
    level: int | None = Field(default=None, description="section: 1 for '#', 2 for '##', ...")
    notes: list[str] = Field(default_factory=list, description="Inline [[notes]] removed from the text.")
    forced: bool = Field(default=False, description="Forced by a Fountain sigil (!, @, ., >, ~).")
    fdx_type: str | None = Field(
        default=None, description="FDX only: the original Paragraph Type, e.g. 'Shot' (mapped to type action)."
    )


class Character(_Model):
    """A speaking character: the name as written in cues (extensions stripped)."""

    name: str
    lines: int = Field(description="How many dialogue blocks the character speaks.")
    first_line: int = Field(description="Source line of the first cue.")


class Scene(_Model):
    """A scene: its heading and the half-open range of element indices it spans."""

    index: int = Field(description="0-based position in the script.")
    heading: str
    line: int
    number: str | None = None
    int_ext: str = Field(default="", description="INT, EXT, INT/EXT or EST; empty when not given.")
    location: str = ""
    time_of_day: str = ""
    start: int = Field(description="Index of the scene_heading element in Script.elements.")
    end: int = Field(description="Index one past the scene's last element.")
    summary: str | None = Field(default=None, description="FDX SceneProperties Summary or Fountain synopsis.")
    length_pages: float | None = Field(default=None, description="FDX SceneProperties Length in pages.")


class Script(_Model):
    """A parsed screenplay. Both the Fountain and the FDX reader produce this."""

    source: str = Field(default="", description="Path of the file it was read from.")
    title_page: dict[str, str] = Field(default_factory=dict, description="Lower-case keys.")
    elements: list[Element] = Field(default_factory=list)
    scenes: list[Scene] = Field(default_factory=list)
    characters: list[Character] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_page.get("title", "").replace("\n", " ").strip() or "Untitled"


# --------------------------------------------------------------------------------------------- shots

ShotSize = Literal[
    "extreme_wide",
    "wide",
    "medium_wide",
    "medium",
    "medium_close",
    "close_up",
    "extreme_close_up",
    "two_shot",
    "over_the_shoulder",
    "insert",
    "pov",
]
CameraMove = Literal[
    "static", "push_in", "pull_out", "pan_left", "pan_right", "tilt_up", "tilt_down", "handheld", "tracking"
]
TransitionKind = Literal["cut", "dissolve", "fade", "wipe"]


class Transition(_Model):
    """A transition at one edge of a shot.

    `Shot.transition_in` of kind dissolve/wipe blends the previous shot into this one; of kind fade it
    fades up from black. `Shot.transition_out` of kind fade fades this shot to black.
    """

    kind: TransitionKind = "cut"
    duration: float = Field(default=0.0, ge=0, le=60, description="Seconds; 0 for a cut.")
    tag: str | None = Field(
        default=None,
        max_length=MAX_NAME,
        description="What the script said: 'match_cut', 'smash_cut', 'fade_to_black'...",
    )
    wipe: str | None = Field(default=None, max_length=MAX_NAME, description="SMPTE wipe pattern name for kind wipe.")
    source_line: int | None = Field(default=None, ge=0, le=MAX_INT)


class DialogueLine(_Model):
    """One block of dialogue spoken in a shot."""

    id: str = Field(min_length=1, max_length=MAX_ID + 10, description="Stable id: '<shot id>-d<n>'.")
    character: str = Field(max_length=MAX_NAME)
    text: str = Field(max_length=MAX_LINE)
    parenthetical: str | None = Field(default=None, max_length=MAX_LINE)
    extensions: list[Name] = Field(default_factory=list)
    line: int = Field(ge=0, le=MAX_INT, description="Source line of the character cue.")
    offset: float = Field(
        default=0.0,
        ge=-MAX_SECONDS,
        le=MAX_SECONDS,
        description="Seconds from the shot's start; negative for a PRE-LAP.",
    )
    duration: float = Field(
        default=0.0, ge=0, le=MAX_SECONDS, description="Estimated seconds; the voice asset's true length wins."
    )
    timed: float | None = Field(
        default=None, ge=0, le=MAX_SECONDS, description="Seconds of the real voice, written by build."
    )
    timed_offset: float | None = Field(
        default=None, ge=-MAX_SECONDS, le=MAX_SECONDS, description="Seconds from the shot's start as built."
    )
    caption: str | None = Field(
        default=None,
        max_length=MAX_LINE,
        description="The subtitle shown for the line where it is not `text` (an editor's fix that refine keeps); "
        "the voice still speaks `text`. See scriptkit/captions.py.",
    )

    @field_validator("caption")
    @classmethod
    def _caption_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("an empty caption: leave the field out to show the line's text")
        return value


class SoundCue(_Model):
    """A sound effect named in the action (CAPS sound word) or the music bed."""

    id: str = Field(min_length=1, max_length=MAX_ID + 10, description="Stable id: '<shot id>-c<n>'.")
    word: str = Field(max_length=MAX_NAME, description="The cue word as written, e.g. 'RINGS'.")
    description: str = Field(default="", max_length=MAX_TEXT, description="The sentence it came from.")
    kind: Literal["sfx", "music"] = "sfx"
    line: int = Field(ge=0, le=MAX_INT)
    offset: float = Field(default=0.0, ge=-MAX_SECONDS, le=MAX_SECONDS, description="Seconds from the shot's start.")
    duration: float = Field(default=1.0, gt=0, le=MAX_SECONDS)


class Shot(_Model):
    """One shot: what the camera sees, who speaks, what is heard, and how it joins its neighbours."""

    id: str = Field(
        min_length=1, max_length=MAX_ID, description="Stable id, e.g. 'sc03-kitchen-004'; see docs in scriptkit.plan."
    )
    scene_index: int = Field(ge=-1, le=MAX_INT, description="-1 for shots before the first scene heading.")
    scene_id: str = Field(max_length=MAX_ID, description="Stable id of the scene, e.g. 'sc03-kitchen'.")
    size: ShotSize = "medium"
    move: CameraMove = "static"
    duration: float = Field(gt=0, le=MAX_SECONDS, description="Seconds on screen.")
    characters: list[Name] = Field(default_factory=list, description="On screen, left to right.")
    int_ext: str = Field(default="", max_length=MAX_TEXT)
    location: str = Field(default="", max_length=MAX_TEXT)
    time_of_day: str = Field(default="", max_length=MAX_TEXT)
    action: str = Field(default="", max_length=MAX_TEXT, description="What happens, in words (caption and prompt).")
    description: str = Field(
        default="", max_length=MAX_TEXT, description="Why this shot: e.g. 'establishing wide', 'reverse on MAYA'."
    )
    dialogue: list[DialogueLine] = Field(default_factory=list)
    cues: list[SoundCue] = Field(default_factory=list)
    transition_in: Transition | None = None
    transition_out: Transition | None = None
    tags: list[Name] = Field(default_factory=list, description="e.g. 'hook', 'establishing', 'insert', 'vo'.")
    prompt: str = Field(default="", max_length=MAX_PROMPT)
    negative_prompt: str = Field(default="", max_length=MAX_PROMPT)
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="Image seed (32 bits: what every backend takes).")
    source_line: int = Field(ge=0, le=MAX_INT, description="Script line the shot comes from.")
    video: str = Field(
        default="",
        max_length=4096,
        description="A take made elsewhere: a movie file (relative to the shot list, or absolute).",
    )
    timed: float | None = Field(
        default=None, ge=0, le=MAX_SECONDS, description="Seconds on the built timeline (grown to hold its lines)."
    )


Sex = Literal["female", "male", "unknown"]


class Voice(_Model):
    """How a character sounds: a voice backend, one of its voices, and the delivery's speed and pitch."""

    backend: str = Field(default="", description="Voice backend ('kokoro', 'piper'); empty: the project's backend.")
    name: str = Field(default="", description="The backend's voice id, e.g. 'af_heart'; empty: cast automatically.")
    speed: float = Field(default=1.0, gt=0.25, le=4.0, description="Speaking rate, 1 = the voice's own.")
    pitch: float = Field(default=1.0, gt=0.5, le=2.0, description="Pitch factor after synthesis (a child's 1.15).")


class CastMember(_Model):
    """A speaking character as cast: who they are (sex, age), how they sound, how they look."""

    name: str = Field(description="The name as written in character cues (upper case, no extensions).")
    display_name: str = ""
    aliases: list[str] = Field(default_factory=list, description="Other cue names of the same person.")
    sex: Sex = "unknown"
    age: str = Field(default="", pattern=r"^$|^\d{1,3}(-\d{1,3})?$", description="Years: '28' or a range '40-49'.")
    language: str = Field(default="en", description="Language code of the lines: 'en', 'en-gb', 'zh'.")
    voice: Voice = Field(default_factory=Voice)
    image: str | None = Field(default=None, description="Reference image of the character for the image backends.")
    seed: int | None = None
    guessed: list[str] = Field(
        default_factory=list, description="Fields `plan` guessed rather than read from the script ('sex', 'age')."
    )

    def years(self) -> tuple[int, int] | None:
        if not self.age:
            return None
        low, _, high = self.age.partition("-")
        return int(low), int(high or low)

    @property
    def age_group(self) -> str:
        """'child' (< 13), 'teen', 'adult', 'elder' (>= 60) or '' when the age is unknown."""
        years = self.years()
        if years is None:
            return ""
        middle = sum(years) / 2
        return "child" if middle < 13 else "teen" if middle < 18 else "elder" if middle >= 60 else "adult"


class MusicBed(_Model):
    """The music under the whole episode."""

    id: str = "music-bed"
    description: str = ""
    level_db: float = Field(
        default=-6.0, ge=-120, le=24, description="Clip gain of the bed (written at scriptkit.mix.MUSIC_LUFS)."
    )


class ShotList(_Model):
    """Everything needed to generate media and assemble a timeline. Round-trips through shots.yaml."""

    version: int = 1
    title: str = Field(default="Untitled", max_length=MAX_TITLE)
    source: str = ""
    template: str = "vertical-drama"
    width: int = Field(gt=0, le=MAX_PIXELS)
    height: int = Field(gt=0, le=MAX_PIXELS)
    fps: str = Field(description="Exact rate as 'N' or 'N/D', e.g. '30' or '24000/1001'.")
    drop_frame: bool = False
    style_prompt: str = Field(default="", max_length=MAX_PROMPT)
    characters: list[Name] = Field(default_factory=list)
    cast: list[CastMember] = Field(default_factory=list, description="Every speaking character, as cast.")
    shots: list[Shot] = Field(default_factory=list)
    music: MusicBed | None = None
    scene_durations: dict[str, float] = Field(default_factory=dict, description="scene id -> seconds.")

    @field_validator("fps")
    @classmethod
    def _rate_is_rational(cls, value: str) -> str:
        try:
            rate = Fraction(value)
        except ZeroDivisionError:
            raise ValueError(f"frame rate {value!r} divides by zero") from None
        if not 0 < rate <= 1000 or rate.denominator > 1001:
            raise ValueError(
                f"frame rate must be a positive rate up to 1000 fps such as 30 or 24000/1001, got {value!r}"
            )
        return value

    @property
    def rate(self) -> Fraction:
        return Fraction(self.fps)

    @property
    def duration(self) -> float:
        return sum(shot.duration for shot in self.shots)

    def member(self, name: str) -> CastMember | None:
        """The cast member a cue name (or one of its aliases) belongs to."""
        key = name.strip().upper()
        for member in self.cast:
            if member.name == key or key in member.aliases:
                return member
        return None


# -------------------------------------------------------------------------------------------- assets


class Asset(_Model):
    """One generated file and everything that made it (so a later run can tell what is stale).

    `kind` is a row of the kind table (`scriptkit.kinds.KINDS`); `media` (still, movie or audio) and `length`
    (seconds, for audio and movies) are what the timeline and every exporter decide from, never a suffix."""

    kind: str
    path: str = Field(description="Relative to the media folder, POSIX separators.")
    key: str = Field(description="Cache key: hash of everything that determines the content.")
    sha256: str = Field(description="Hash of the file's bytes.")
    owner: str = Field(description="Shot id, dialogue line id or cue id the asset belongs to.")
    backend: str
    model: str = ""
    prompt: str = ""
    seed: int | None = None
    style_hash: str = ""
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    duration: float | None = Field(default=None, description="Seconds, for audio: the true length.")
    sample_rate: int | None = None
    channels: int | None = None
    width: int | None = None
    height: int | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        kinds.kind(value)
        return value

    @property
    def media(self) -> kinds.Media:
        return kinds.media_of(self.kind)

    @property
    def length(self) -> float | None:
        """Seconds of an audio or movie asset (None for a still, which has any length)."""
        return self.duration if self.media != "still" else None


class Assets(_Model):
    """The media folder's record: every asset by owner id. Written as media/assets.json."""

    root: str = Field(
        default="", description="The media folder, set when read or generated; not stored in assets.json."
    )
    images: dict[str, Asset] = Field(default_factory=dict, description="shot id -> keyframe")
    voices: dict[str, Asset] = Field(default_factory=dict, description="dialogue line id -> voice")
    cues: dict[str, Asset] = Field(default_factory=dict, description="cue id -> sound")
    music: Asset | None = None
    movies: dict[str, Asset] = Field(
        default_factory=dict, description="shot id -> movie made from its keyframe", exclude_if=lambda value: not value
    )

    def table(self, kind: str) -> dict[str, Asset]:
        """The assets of one kind by owner id (the music bed: {its owner: it})."""
        table = kinds.kind(kind).table
        if table == "music":
            return {self.music.owner: self.music} if self.music is not None else {}
        return getattr(self, table)

    def get(self, kind: str, owner: str) -> Asset | None:
        return self.table(kind).get(owner)

    def put(self, asset: Asset) -> None:
        """Record `asset` under its kind and owner."""
        table = kinds.kind(asset.kind).table
        if table == "music":
            self.music = asset
        else:
            getattr(self, table)[asset.owner] = asset

    def all(self) -> list[Asset]:
        """Every asset, kind by kind in the kind table's order."""
        return [asset for name in kinds.KINDS for asset in self.table(name).values()]


class Template(_Model):
    """A project preset, loaded from templates/<name>.yaml."""

    name: str
    description: str = ""
    width: int
    height: int
    fps: str
    drop_frame: bool = False
    orientation: Literal["vertical", "horizontal", "square"] = "horizontal"
    hook_closeup: bool = Field(default=False, description="Open the episode on a close-up hook instead of a wide.")
    hook_seconds: float | None = Field(
        default=None, gt=0, description="With hook_closeup: the hook lasts at most this long (the first cut by then)."
    )
    min_shot: float = 1.0
    max_shot: float = 8.0
    words_per_second: float = 2.6
    dissolve: float = 1.0
    fade: float = 1.0
    wipe: float = 1.0
    beat: float = 1.0
    action_seconds_per_word: float = 0.25
    style_prompt: str = ""
    negative_prompt: str = ""
    prompt_template: str = "prompts/shot.j2"
    preview_width: int = 960
    preview_height: int = 540
    dialogue_tracks: Literal["per_character", "shared"] = "per_character"
    music_level_db: float = -6.0
    target_seconds: float | None = Field(default=None, gt=0, description="Episode length to aim for (seconds).")
    music_prompt: str = Field(
        default="cinematic underscore, tense and restrained",
        description="Description of the music bed under the whole episode; empty for no music bed.",
    )


class ExportOptions(_Model):
    """What an exporter needs besides the timeline."""

    project_dir: str = Field(description="Absolute path of the project folder being written.")
    relative_media: bool = Field(default=False, description="Write media paths relative to the project folder.")
    drop_frame: bool = False
    title: str = "Untitled"
    media_dir: str = Field(default="", description="Absolute path of the media folder (assets.json lives there).")
    formats: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-format options by format name, each checked by its format's own options model.",
    )
