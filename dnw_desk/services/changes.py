"""What a use case changed, so each screen reloads only what it shows
(docs/architecture.md#data-flow)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    case_ids: frozenset[str] = field(default_factory=frozenset)
    print_queue: bool = False
    settings: bool = False
    accounts: bool = False
    calendar: bool = False

    @property
    def cases(self) -> bool:
        return bool(self.case_ids)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            case_ids=self.case_ids | other.case_ids,
            print_queue=self.print_queue or other.print_queue,
            settings=self.settings or other.settings,
            accounts=self.accounts or other.accounts,
            calendar=self.calendar or other.calendar,
        )
