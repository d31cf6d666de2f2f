"""What C-3-c (24時間体制) counts for one physician group: the app's rota from when it began."""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ManualMonth:
    """A month before the 運用開始日, entered as a summary (手入力の集計)."""

    month: date  #: first day of the month
    covered: int
    total: int


@dataclass
class RotaCoverage:
    name: str
    group_id: int
    counted_from: date  #: max(年度 start, 運用開始日)
    covered: int  #: slots of the app's rota with 主・副 both set and published, counted_from..as_of
    total: int  #: night and holiday slots to cover, counted_from..as_of
    from_started_on: bool = False  #: counted_from is the group's 運用開始日 (not the 年度 start)
    manual: list[ManualMonth] = field(default_factory=list)

    @property
    def manual_covered(self) -> int:
        return sum(m.covered for m in self.manual)

    @property
    def manual_total(self) -> int:
        return sum(m.total for m in self.manual)

    @property
    def all_covered(self) -> int:
        return self.covered + self.manual_covered

    @property
    def all_total(self) -> int:
        return self.total + self.manual_total

    def __iter__(self):
        """(name, group id, covered, total) of the app's rota, as the older tuple read."""
        return iter((self.name, self.group_id, self.covered, self.total))
