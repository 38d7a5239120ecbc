"""Proposed matches for bank statement lines: which open due amounts a movement most likely pays.

Money in looks among the receivable due amounts, money out among the payable ones. A line's evidence,
each worth points (a score of 0-100):

    reference   its reference or description names a document (our number, or the supplier's)   50
    amount      it equals one due amount's remainder, or a document's whole remainder            30
    unique      …and no other due amount or document of the direction has that amount           10
    iban        its counterparty's IBAN is the party's (a mandate, or an earlier matched line)  25
    name        its counterparty's name is the party's                                          15
    date        it is close to the due date (3 days 10, 15 days 6, 45 days 3)

Two equally good proposals for different due amounts lose 20 points: the user chooses.

Fast by construction: the open due amounts are indexed once (by amount in cents, by document number, by
party), so each line looks only at the few due amounts its own amount, words and counterparty lead to —
never at all of them."""

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal

SURE = 80
POINTS = {"reference": 50, "amount": 30, "unique": 10, "iban": 25, "name": 15}
AMBIGUOUS_PENALTY = 20
MIN_NUMBER = 4  # shorter document numbers would be found in any text
MAX_PARTY_DUES = 200  # a party's oldest due amounts considered for a sum of several
LEGAL_FORMS = {
    "SL",
    "SA",
    "SLU",
    "SAU",
    "SC",
    "SCOOP",
    "CB",
    "SLL",
    "SLNE",
    "LTD",
    "INC",
    "GMBH",
    "SAS",
    "SRL",
}


@dataclass(frozen=True)
class OpenDue:
    id: int
    direction: str
    party_id: int
    document: str  # the document it belongs to (one key per document)
    number: str
    due_date: Date
    remaining: Decimal
    other_numbers: tuple[str, ...] = ()  # the supplier's own invoice number


@dataclass(frozen=True)
class LineFacts:
    id: int
    amount: Decimal  # positive: money in
    date: Date
    text: str  # reference and description
    counterparty: str = ""
    counterparty_iban: str = ""


@dataclass(frozen=True)
class Proposal:
    due_ids: tuple[int, ...]  # in due-date order
    party_id: int
    score: int
    reasons: tuple[str, ...]
    numbers: tuple[str, ...]
    amount: Decimal  # what the due amounts have left to pay


@dataclass
class _Candidate:
    dues: tuple[OpenDue, ...]
    reasons: set[str] = field(default_factory=set)


def compact(text: str) -> str:
    """Letters and digits only, upper case: "FV-2026/00012" → "FV202600012"."""
    return re.sub(r"[^0-9A-Z]", "", _plain(text).upper())


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(character for character in text if not unicodedata.combining(character))


def name_key(name: str) -> str:
    """A party's name as banks spell it: no accents, case, punctuation or legal form ("S.L.")."""
    words = re.sub(r"[^0-9A-Z ]", "", re.sub(r"[.,]", "", _plain(name).upper())).split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _date_points(day: Date, due_date: Date) -> int:
    gap = abs((day - due_date).days)
    return 10 if gap <= 3 else 6 if gap <= 15 else 3 if gap <= 45 else 0


class Matcher:
    """The open due amounts indexed for proposals; `propose(line)` for each line."""

    def __init__(
        self,
        dues: Iterable[OpenDue],
        *,
        party_names: Mapping[int, Iterable[str]] = {},
        party_ibans: Mapping[str, Iterable[int]] = {},
    ):
        self.by_cents: dict[tuple[str, int], list[OpenDue]] = defaultdict(list)
        self.by_number: dict[str, set[str]] = defaultdict(set)
        self.documents: dict[str, list[OpenDue]] = defaultdict(list)
        self.by_party: dict[tuple[str, int], list[OpenDue]] = defaultdict(list)
        for due in dues:
            if due.remaining <= 0:
                continue
            self.by_cents[due.direction, _cents(due.remaining)].append(due)
            self.documents[due.document].append(due)
            self.by_party[due.direction, due.party_id].append(due)
            for number in (due.number, *due.other_numbers):
                key = compact(number)
                if len(key) >= MIN_NUMBER:
                    self.by_number[key].add(due.document)
        self.document_cents: dict[tuple[str, int], list[str]] = defaultdict(list)
        for document, its_dues in self.documents.items():
            its_dues.sort(key=lambda due: (due.due_date, due.id))
            if len(its_dues) > 1:
                total = sum((due.remaining for due in its_dues), Decimal(0))
                self.document_cents[its_dues[0].direction, _cents(total)].append(document)
        for its_dues in self.by_party.values():
            its_dues.sort(key=lambda due: (due.due_date, due.id))
        self.names: dict[str, set[int]] = defaultdict(set)
        #: Each party's name as it is shown (the first given).
        self.party_names: dict[int, str] = {}
        for party_id, names in party_names.items():
            names = [name for name in names if name]
            if names:
                self.party_names[party_id] = names[0]
            for name in names:
                if name_key(name):
                    self.names[name_key(name)].add(party_id)
        self.ibans = {iban: set(parties) for iban, parties in party_ibans.items()}
        self.longest_number = max((len(key) for key in self.by_number), default=0)

    def _documents_named(self, text: str) -> set[str]:
        """Documents whose number is a word of the text (or the end of one: "FRA.FV-2026-00012"), also when
        a line break of the bank's split it in two words."""
        words = [compact(word) for word in text.split()]
        words = [word for word in words if word]
        found: set[str] = set()
        tokens = words + [first + second for first, second in itertools.pairwise(words)]
        for token in tokens:
            token = token[-self.longest_number :] if self.longest_number else token
            for start in range(0, max(len(token) - MIN_NUMBER + 1, 0)):
                documents = self.by_number.get(token[start:])
                if documents:
                    found |= documents
        return found

    def _parties(self, line: LineFacts) -> tuple[set[int], set[int]]:
        by_iban = set(self.ibans.get(line.counterparty_iban, ())) if line.counterparty_iban else set()
        by_name = set(self.names.get(name_key(line.counterparty), ())) if line.counterparty else set()
        return by_iban, by_name

    def propose(self, line: LineFacts) -> Proposal | None:
        if not line.amount:
            return None
        direction = "receivable" if line.amount > 0 else "payable"
        amount = abs(line.amount)
        cents = _cents(amount)
        candidates: dict[tuple[int, ...], _Candidate] = {}

        def add(dues: Iterable[OpenDue], reason: str) -> None:
            dues = tuple(dues)
            if not dues:
                return
            key = tuple(due.id for due in dues)
            candidates.setdefault(key, _Candidate(dues)).reasons.add(reason)

        for document in self._documents_named(line.text):
            its_dues = [due for due in self.documents[document] if due.direction == direction]
            if not its_dues:
                continue
            single = next((due for due in its_dues if _cents(due.remaining) == cents), None)
            if single is not None:
                add([single], "reference")
            else:
                add(its_dues, "reference")
        same_amount = self.by_cents.get((direction, cents), [])
        whole_documents = self.document_cents.get((direction, cents), [])
        unique = len(same_amount) + len(whole_documents) == 1
        for due in same_amount:
            add([due], "amount")
        for document in whole_documents:
            add(self.documents[document], "amount")
        by_iban, by_name = self._parties(line)
        for party_id in by_iban | by_name:
            self._party_sums(direction, party_id, cents, add)
        for candidate in candidates.values():
            if sum(_cents(due.remaining) for due in candidate.dues) == cents:
                candidate.reasons.add("amount")
        if not candidates:
            return None
        scored = sorted(
            (self._score(line, candidate, by_iban, by_name, unique) for candidate in candidates.values()),
            key=lambda proposal: (-proposal.score, proposal.due_ids),
        )
        best = scored[0]
        if len(scored) > 1 and scored[1].score == best.score:
            best = Proposal(
                best.due_ids, best.party_id, max(best.score - AMBIGUOUS_PENALTY, 0), (*best.reasons, "ambiguous"),
                best.numbers, best.amount,
            )  # fmt: skip
        return best

    def _party_sums(self, direction: str, party_id: int, cents: int, add) -> None:
        """A party's oldest due amounts whose remainders add up to the line (one transfer for several
        invoices); else its oldest ones, to pay in due-date order."""
        its_dues = self.by_party.get((direction, party_id), [])[:MAX_PARTY_DUES]
        running = 0
        for position, due in enumerate(its_dues):
            running += _cents(due.remaining)
            if running == cents:
                add(its_dues[: position + 1], "party")
                return
            if running > cents:
                break
        if its_dues:
            add(its_dues[:1], "party")

    def _score(
        self, line: LineFacts, candidate: _Candidate, by_iban: set[int], by_name: set[int], unique: bool
    ) -> Proposal:
        dues = candidate.dues
        party_id = dues[0].party_id
        reasons = candidate.reasons - {"party"}
        if "amount" in reasons and unique:
            reasons.add("unique")
        if party_id in by_iban:
            reasons.add("iban")
        elif party_id in by_name:
            reasons.add("name")
        score = sum(POINTS[reason] for reason in reasons)
        date_points = _date_points(line.date, dues[0].due_date)
        if date_points:
            reasons.add("date")
        score = min(score + date_points, 100)
        ordered = sorted(reasons, key=_reason_order)
        numbers = tuple(dict.fromkeys(due.number for due in dues))
        return Proposal(
            tuple(due.id for due in dues), party_id, score, tuple(ordered), numbers,
            sum((due.remaining for due in dues), Decimal(0)),
        )  # fmt: skip


REASONS = ("reference", "amount", "unique", "iban", "name", "date")


def _reason_order(reason: str) -> int:
    return REASONS.index(reason) if reason in REASONS else len(REASONS)


def allocations(dues: Iterable[tuple[int, Decimal]], amount: Decimal) -> list[tuple[int, Decimal]]:
    """What a payment of `amount` pays of each due amount (id, remainder) in the order given: each in full
    while the money lasts, the last one in part."""
    left = amount
    parts = []
    for due_id, remaining in dues:
        if left <= 0:
            break
        part = min(remaining, left)
        if part > 0:
            parts.append((due_id, part))
            left -= part
    return parts


__all__ = [
    "REASONS",
    "SURE",
    "LineFacts",
    "Matcher",
    "OpenDue",
    "Proposal",
    "allocations",
    "compact",
    "name_key",
]
