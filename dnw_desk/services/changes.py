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
    # Of these cases only the cached alert levels moved and cards went on their timelines (an
    # alert tick): a screen that shows live levels and neither filters nor sorts by the cached
    # one need not query again.
    levels_only: bool = False

    @property
    def cases(self) -> bool:
        return bool(self.case_ids)

    def __or__(self, other: Changes) -> Changes:
        with_cases = [changes for changes in (self, other) if changes.cases]
        return Changes(
            case_ids=self.case_ids | other.case_ids,
            print_queue=self.print_queue or other.print_queue,
            settings=self.settings or other.settings,
            accounts=self.accounts or other.accounts,
            calendar=self.calendar or other.calendar,
            levels_only=bool(with_cases) and all(c.levels_only for c in with_cases),
        )
