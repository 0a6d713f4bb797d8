"""The policy profile: categories, responses and rules of a harassment policy, loaded from TOML.

The profile is data so that another municipality can load its own policy. Codes are the stable
identifiers stored in recordings, incidents and bundles; labels are only for people.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kasuhara_recorder.errors import ProfileError
from kasuhara_recorder.resources import resource
from kasuhara_recorder.text import LANGS, Text

CODE_RE = re.compile(r"^[a-z]+\.[a-z][a-z0-9_]*$")
HOTKEY_RE = re.compile(r"^((Ctrl|Alt|Shift)\+)*([0-9A-Z]|F[1-9]|F1[0-2])$")


@dataclass(frozen=True)
class Group:
    id: str
    section: str
    label: Text
    live_tags: bool


@dataclass(frozen=True)
class Category:
    code: str
    group: str
    section: str
    label: Text
    description: Text
    hotkey: str | None


@dataclass(frozen=True)
class Response:
    code: str
    section: str
    label: Text
    description: Text
    stamps_time: bool


@dataclass(frozen=True)
class Rules:
    interaction_limit_minutes: int
    warning_minutes: int
    min_staff_meeting: int
    meeting_at_office: bool
    record_meetings_start_to_end: bool

    @property
    def limit_seconds(self) -> int:
        return self.interaction_limit_minutes * 60

    @property
    def warning_seconds(self) -> int:
        return self.warning_minutes * 60


@dataclass(frozen=True)
class NoticeWords:
    """The recording notice (録音告知): what the counter worker says, what the phone plays,
    and the poster's sentence (§5(1) asks for posters in the office)."""

    counter: Text
    phone: Text
    poster: Text
    organisation: Text = Text("", "")  # who issues it (the poster's signature): "坂出市"


DEFAULT_NOTICE = NoticeWords(
    counter=Text(
        "トラブル防止のため、会話を録音させていただきます。",
        "To prevent trouble, this conversation will be recorded.",
    ),
    phone=Text(
        "この通話は、トラブル防止のため録音させていただいております。",
        "This call is recorded to prevent trouble.",
    ),
    poster=Text(
        "当庁舎では、トラブル防止のため、窓口・電話での会話を録音させていただいております。",
        "In this office, conversations at the counter and on the phone are recorded to "
        "prevent trouble.",
    ),
)


@dataclass(frozen=True)
class PolicyProfile:
    id: str
    version: int
    name: Text
    issued: str
    rules: Rules
    groups: tuple[Group, ...]
    categories: tuple[Category, ...]
    responses: tuple[Response, ...]
    notice: NoticeWords = DEFAULT_NOTICE

    def category(self, code: str) -> Category:
        for c in self.categories:
            if c.code == code:
                return c
        raise KeyError(code)

    def response(self, code: str) -> Response:
        for r in self.responses:
            if r.code == code:
                return r
        raise KeyError(code)

    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def categories_in(self, group_id: str) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.group == group_id)

    def live_tag_categories(self) -> tuple[Category, ...]:
        live = {g.id for g in self.groups if g.live_tags}
        return tuple(c for c in self.categories if c.group in live)

    def is_known_code(self, code: str) -> bool:
        return any(c.code == code for c in self.categories) or any(
            r.code == code for r in self.responses
        )


DEFAULT_PROFILE = "sakaide.toml"


def default_profile_path() -> Path:
    return resource("policy", DEFAULT_PROFILE)


def load_profile(path: Path | str | None = None) -> PolicyProfile:
    """Load and validate a profile; every problem raises ProfileError naming file, place, cause."""
    p = Path(path) if path is not None else default_profile_path()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(str(p), "file", "file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError(str(p), "file", f"cannot read: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(str(p), "syntax", str(e)) from None
    return _Parser(str(p), text).parse(data)


class _Parser:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, where: str, problem: str, near: str | None = None) -> ProfileError:
        if near is not None:
            for n, line in enumerate(self.lines, 1):
                if near in line:
                    where = f"line {n} ({where})"
                    break
        return ProfileError(self.path, where, problem)

    def _str(self, table: dict, key: str, where: str, near: str | None, required=True) -> str:
        value = table.get(key)
        if value is None:
            if not required:
                return ""
            raise self.fail(f"{where}.{key}", "missing", near)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "must be a non-empty string", near)
        return value.strip()

    def _text(self, table: dict, key: str, where: str, near: str | None) -> Text:
        """``key_ja`` and ``key_en`` of the file, as one ``Text``."""
        ja, en = (
            self._str(table, f"{key}_{lang}", where, near or f"{key}_{lang}") for lang in LANGS
        )
        return Text(ja, en)

    def _table(self, data: dict, key: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"[{key}]", "missing table", f"[{key}]")
        return value

    def _array(self, data: dict, key: str) -> list[dict]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(f"[[{key}]]", "missing or empty list", None)
        return value

    def parse(self, data: dict) -> PolicyProfile:
        head = self._table(data, "profile")
        version = head.get("version")
        if not isinstance(version, int):
            raise self.fail("profile.version", "must be an integer", "version")
        rules = self._rules(self._table(data, "rules"))
        groups = tuple(self._group(g, i) for i, g in enumerate(self._array(data, "groups")))
        group_ids = [g.id for g in groups]
        if len(set(group_ids)) != len(group_ids):
            raise self.fail("groups", "duplicate group id")
        sections = {g.id: g.section for g in groups}
        categories = tuple(
            self._category(c, i, sections) for i, c in enumerate(self._array(data, "categories"))
        )
        responses = tuple(
            self._response(r, i) for i, r in enumerate(self._array(data, "responses"))
        )
        seen: set[str] = set()
        for code in [c.code for c in categories] + [r.code for r in responses]:
            if code in seen:
                raise self.fail(f"code {code!r}", "duplicate code", f'"{code}"')
            seen.add(code)
        hotkeys: dict[str, str] = {}
        for c in categories:
            if c.hotkey:
                if c.hotkey in hotkeys:
                    raise self.fail(
                        f"categories[{c.code}].hotkey",
                        f"hotkey {c.hotkey!r} already used by {hotkeys[c.hotkey]}",
                        f'"{c.code}"',
                    )
                hotkeys[c.hotkey] = c.code
        return PolicyProfile(
            id=self._str(head, "id", "profile", "id ="),
            version=version,
            name=self._text(head, "name", "profile", None),
            issued=self._str(head, "issued", "profile", "issued", required=False),
            rules=rules,
            groups=groups,
            categories=categories,
            responses=responses,
            notice=self._notice(data.get("notice")),
        )

    def _notice(self, t: object) -> NoticeWords:
        """``[notice]`` (optional: the default words when the profile has none)."""
        if t is None:
            return DEFAULT_NOTICE
        if not isinstance(t, dict):
            raise self.fail("[notice]", "must be a table", "[notice]")
        return NoticeWords(
            counter=self._text(t, "counter", "notice", None),
            phone=self._text(t, "phone", "notice", None),
            poster=self._text(t, "poster", "notice", None),
            organisation=Text(
                self._str(t, "organisation_ja", "notice", None, required=False),
                self._str(t, "organisation_en", "notice", None, required=False),
            ),
        )

    def _rules(self, t: dict) -> Rules:
        def integer(key: str, low: int) -> int:
            v = t.get(key)
            if not isinstance(v, int) or isinstance(v, bool) or v < low:
                raise self.fail(f"rules.{key}", f"must be an integer ≥ {low}", key)
            return v

        limit = integer("interaction_limit_minutes", 1)
        warning = integer("warning_minutes", 0)
        if warning >= limit:
            raise self.fail(
                "rules.warning_minutes", "must be less than interaction_limit_minutes", "warning"
            )
        return Rules(
            interaction_limit_minutes=limit,
            warning_minutes=warning,
            min_staff_meeting=integer("min_staff_meeting", 1),
            meeting_at_office=bool(t.get("meeting_at_office", True)),
            record_meetings_start_to_end=bool(t.get("record_meetings_start_to_end", True)),
        )

    def _group(self, g: dict, i: int) -> Group:
        where = f"groups[{i}]"
        gid = self._str(g, "id", where, None)
        near = f'"{gid}"'
        return Group(
            id=gid,
            section=self._str(g, "section", where, near),
            label=self._text(g, "label", f"groups[{gid}]", near),
            live_tags=bool(g.get("live_tags", False)),
        )

    def _category(self, c: dict, i: int, sections: dict[str, str]) -> Category:
        code = self._str(c, "code", f"categories[{i}]", None)
        near = f'"{code}"'
        where = f"categories[{code}]"
        if not CODE_RE.match(code):
            raise self.fail(f"{where}.code", "code must look like group.name (a-z, 0-9, _)", near)
        group = self._str(c, "group", where, near)
        if group not in sections:
            raise self.fail(f"{where}.group", f"unknown group {group!r}", near)
        if not code.startswith(group + "."):
            raise self.fail(f"{where}.code", f"code must start with its group {group!r}", near)
        hotkey = c.get("hotkey")
        if hotkey is not None and (not isinstance(hotkey, str) or not HOTKEY_RE.match(hotkey)):
            raise self.fail(f"{where}.hotkey", f"not a valid hotkey: {hotkey!r}", near)
        return Category(
            code=code,
            group=group,
            section=sections[group],
            label=self._text(c, "label", where, near),
            description=self._text(c, "description", where, near),
            hotkey=hotkey,
        )

    def _response(self, r: dict, i: int) -> Response:
        code = self._str(r, "code", f"responses[{i}]", None)
        near = f'"{code}"'
        where = f"responses[{code}]"
        if not CODE_RE.match(code) or not code.startswith("response."):
            raise self.fail(f"{where}.code", "response codes look like response.name", near)
        return Response(
            code=code,
            section=self._str(r, "section", where, near),
            label=self._text(r, "label", where, near),
            description=self._text(r, "description", where, near),
            stamps_time=bool(r.get("stamps_time", False)),
        )
