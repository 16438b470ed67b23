"""What atoll needs to know about a MySQL/MariaDB server: its version string (which decides the
flavour and the feature gates of spec/mysql.md §1.3), default charset and collation, and the
default storage engine. Read once per connection with Atlas's probe query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServerInfo:
    version: str = "8.0.31"
    collation: str = "utf8mb4_0900_ai_ci"
    charset: str = "utf8mb4"
    lower_case_table_names: int = 0
    # Each charset's default collation, and each collation's charset (the server's tables).
    charset_collation: dict = field(default_factory=dict, compare=False, repr=False)
    collation_charset: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def maria(self) -> bool:
        return self.version.find("MariaDB") > 0

    def _semver(self) -> tuple[int, ...]:
        v = self.version
        for marker in ("-MariaDB", "-TiDB"):
            i = v.find(marker)
            if i > 0:
                v = v[:i]
                break
        else:
            v = v.split("-", 1)[0]
        nums = [int(x) for x in re.findall(r"\d+", v)[:3]]
        return tuple(nums + [0] * (3 - len(nums)))

    def at_least(self, version: str) -> bool:
        want = tuple(int(x) for x in version.split("."))
        want = want + (0,) * (3 - len(want))
        return self._semver() >= want

    @property
    def supports_check(self) -> bool:
        return self.at_least("10.2.1") if self.maria else self.at_least("8.0.16")

    @property
    def supports_index_expr(self) -> bool:
        return not self.maria and self.at_least("8.0.13")

    @property
    def supports_display_width(self) -> bool:
        return self.maria or not self.at_least("8.0.19")

    @property
    def supports_expr_default(self) -> bool:
        return self.at_least("10.2.1") if self.maria else self.at_least("8.0.13")

    @property
    def supports_enforce_check(self) -> bool:
        return not self.maria and self.at_least("8.0.16")

    @property
    def supports_rename_column(self) -> bool:
        return self.at_least("10.5.2") if self.maria else self.at_least("8.0.0")


DEFAULT = ServerInfo()


def server_info(conn) -> ServerInfo:
    """The server behind ``conn``, probed once and cached on the connection."""
    info = getattr(conn, "_atoll_server_info", None)
    if info is None:
        row = conn.query("SELECT @@version, @@collation_server, @@character_set_server, "
                         "@@lower_case_table_names")[0]
        info = ServerInfo(str(row[0]), str(row[1]), str(row[2]), int(row[3] or 0))
        try:
            info.charset_collation.update((str(a), str(b)) for a, b in conn.query(
                "SELECT CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME FROM "
                "INFORMATION_SCHEMA.CHARACTER_SETS"))
            info.collation_charset.update((str(a), str(b)) for a, b in conn.query(
                "SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM INFORMATION_SCHEMA.COLLATIONS "
                "WHERE CHARACTER_SET_NAME IS NOT NULL"))
        except Exception:  # the maps only fill in defaults; Atlas ignores errors here too
            pass
        try:
            conn._atoll_server_info = info
        except AttributeError:
            pass
    return info
