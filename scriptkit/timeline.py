"""Timeline assembly: ShotList + Assets -> one OpenTimelineIO timeline (the single in-memory timeline).

Every exporter reads this timeline and every reader produces one of the same shape. The shape is a
contract (exporters and conform rely on it):

Timeline
- `name`: the shot list's title. `global_start_time`: 01:00:00:00 at the timeline rate
  (`RationalTime(3600 * rate, rate)`), as Resolve, Premiere and Avid expect.
- `metadata["scriptkit"]`: {"title", "width", "height", "fps" (exact rational string, e.g. "30000/1001"),
  "drop_frame", "template", "tool_version"}.
- Rate: every RationalTime in the timeline uses `float(Fraction(shotlist.fps))`; exporters turn it back into
  an exact rational with `scriptkit.rates.rational()`.

Tracks (in this order), each with `metadata["scriptkit"] = {"role": ..., "character": name or None}`:
1. "V1" (Video, role "video"): one Clip per shot, in shot-list order, no gaps.
   - Clip.name = shot id. media_reference = ExternalReference(target_url = absolute percent-encoded
     `file://` URL of the keyframe PNG (`scriptkit.io.file_url`), available_range = (0, shot frames +
     2 * handle)), source_range = (handle, shot frames). `handle` = HANDLE_SECONDS at the rate, so that a
     dissolve always has media on both sides.
   - A dissolve/wipe between two shots is an `otio.schema.Transition` between their clips
     (transition_type SMPTE_Dissolve; a wipe has metadata["scriptkit"]["wipe"] = pattern) with
     in_offset = out_offset = half the duration (frames; an odd duration gives the extra frame to out_offset).
     The transition is centred on the cut: it does not change the track duration.
   - Fade from black at a shot start: a Transition named "Fade In" with metadata["scriptkit"]["kind"] =
     "fade_in", in_offset 0 and out_offset = fade frames, placed directly before the clip (at track start,
     or after a Gap). Fade to black at a shot end: a Transition named "Fade Out", kind "fade_out",
     in_offset = fade frames, out_offset 0, directly after the clip. Between a fade out and a fade in
     there is a Gap of BLACK_SECONDS (black), so the two transitions are never adjacent.
   - One Marker per clip: name = shot id, marked_range = (clip source start, 1 frame), color GREEN,
     comment = "line <source line>: <action, first 120 chars>", metadata["scriptkit"] = {"shot_id", "line"}.
2. "DIALOGUE <NAME>" per character (or one "DIALOGUE" track with `dialogue_tracks="shared"`),
   (Audio, role "dialogue", character name): Gaps and Clips at absolute timeline positions.
   - Clip.name = dialogue line id; source_range = (0, voice frames) where voice frames = the asset's true
     duration rounded up to whole frames; ExternalReference to the 48 kHz WAV.
   - A line starts at its shot's start + line offset (a negative offset is a PRE-LAP / J-cut: it starts
     under the previous shot); a line never overlaps the previous line on the same track (pushed later).
3. "SFX" (Audio, role "effects"): one Clip per sound cue at shot start + cue offset; a Marker on each cue
   clip (name = cue word, color ORANGE).
4. "MUSIC" (Audio, role "music"): one Clip of the music bed under the whole timeline (when there is one),
   metadata["scriptkit"]["level_db"].

Every Clip carries metadata["scriptkit"] with at least {"kind": "shot"|"dialogue"|"cue"|"music",
"shot_id", "asset_hash" (Asset.sha256), "asset_path" (relative to the media folder)}; shot clips add
{"scene_id", "line", "prompt", "seed", "size", "move", "characters", "action", "duration_planned"};
dialogue clips add {"line_id", "character", "text", "line"}; cue clips {"cue_id", "word", "line"}.

Shot durations: a shot is max(planned frames, frames needed to hold its dialogue: the end of its last
line's real voice duration + a short tail), so a shot never ends before its dialogue.
"""

from __future__ import annotations

HANDLE_SECONDS = 2.0
BLACK_SECONDS = 0.5
