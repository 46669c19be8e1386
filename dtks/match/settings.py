"""Every knob of the matcher in one place: thresholds, blocking rules, comparisons, hard rules,
training blocks and the review queue's limit (`MatchSettings`), as Splink keeps its settings
apart from the linker that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dtks.match.blocking import BlockingRule, block_on, default_rules
from dtks.match.comparisons import Comparison, default_comparisons
from dtks.match.rules import HardRule, default_hard_rules


@dataclass(frozen=True)
class TrainingBlock:
    """Pairs agreeing on ``rule``'s keys, for EM of every comparison not in ``excluded``.

    A ``fallback`` block runs after the others and only for the comparisons they left with
    fewer than `MIN_EXPECTED_MATCHES` expected matches (e.g. the name, in an export without
    NIK, IDDTKS and mother's name); it trains only those.
    """

    rule: BlockingRule
    excluded: tuple[str, ...]
    fallback: bool = False


# Below this many expected matches over the blocks that trained it, a comparison's m is
# thin: the fallback blocks train it.
MIN_EXPECTED_MATCHES = 50.0


def default_training_blocks() -> list[TrainingBlock]:
    """Blocks whose pairs are mostly one person, each built on different fields.

    Names say the sex, and the NIK says birth date and sex, so blocks on them do not estimate
    those comparisons either.
    """
    trusted_nik = pl.when(pl.col("nik_ok")).then(pl.col("nik"))
    return [
        TrainingBlock(
            block_on(trusted_nik, name="same_nik", cap=10),
            ("nik", "tanggal_lahir", "jenis_kelamin"),
        ),
        TrainingBlock(block_on("iddtks", name="same_iddtks", cap=10), ("iddtks",)),
        TrainingBlock(
            block_on("tgl", "nama_key", name="same_birth_date_name", cap=20),
            ("tanggal_lahir", "nama", "jenis_kelamin"),
        ),
        TrainingBlock(
            block_on("nama_key", "nama_ibu_key", name="same_name_mother", cap=20),
            ("nama", "nama_ibu", "jenis_kelamin"),
        ),
        # Without NIK, IDDTKS and mother (an export of names, dates and addresses) the blocks
        # above cannot train the name and the birth date: each trains the other here.
        TrainingBlock(
            block_on("tgl", name="same_birth_date", cap=20),
            ("tanggal_lahir", "nik", "jenis_kelamin"),
            fallback=True,
        ),
        TrainingBlock(
            block_on("nama_key", name="same_name", cap=20),
            ("nama", "jenis_kelamin"),
            fallback=True,
        ),
    ]


@dataclass(frozen=True)
class MatchSettings:
    """Every knob of the matcher in one place.

    A pair with match probability >= ``merge_probability`` is merged, >= ``review_probability``
    goes to review, else distinct; hard rules and clerks' decisions then override. The
    probabilities are the model's own (Fellegi-Sunter with a trained prior), so 0.99 means
    "less than a 1 % chance of two different people"; on the synthetic benchmarks (four seeds
    and defect rates) no pair above it was a false merge.

    The review queue holds at most ``review_pairs_per_100_rows`` pairs per 100 rows (never
    fewer than ``review_queue_min_pairs``): the pairs whose answer changes most go first
    (`dtks.match.queue_limit`); beyond the limit a pair to review is merged when its
    probability is at least ``queue_full_merge_probability`` (and no rule keeps it apart),
    else kept apart, and a merge to confirm stays merged; both are marked
    ``decided_by = "queue_limit"`` and counted, never dropped silently.
    """

    merge_probability: float = 0.99
    review_probability: float = 0.5
    review_pairs_per_100_rows: float = 1.0
    review_queue_min_pairs: int = 10
    queue_full_merge_probability: float = 0.9
    blocking_rules: tuple[BlockingRule, ...] = field(default_factory=lambda: tuple(default_rules()))
    comparisons: tuple[Comparison, ...] = field(
        default_factory=lambda: tuple(default_comparisons())
    )
    hard_rules: tuple[HardRule, ...] | None = None  # None: `default_hard_rules(comparisons)`
    u_sample_pairs: int = 300_000
    em_max_iterations: int = 60
    em_max_pairs: int = 300_000  # per training block (a sample when a block has more)
    m_floor: float = 0.005  # least m of any level (see `dtks.match.training.floor_m`)
    training_blocks: tuple[TrainingBlock, ...] = field(
        default_factory=lambda: tuple(default_training_blocks())
    )
    u_given_same_birth_date: tuple[str, ...] = ("nik",)
    u_given_same_kk: tuple[str, ...] = (
        "nama",
        "tanggal_lahir",
        "nama_ibu",
        "jenis_kelamin",
        "tempat_lahir",
    )
    tf_weight_cap: float = 1.0
    cluster_check_max_size: int = 60  # clusters re-checked pair by pair against every rule
    safety_check_max_size: int = 5_000  # bigger clusters re-checked against the safety line only
    seed: int = 20261130
    workers: int = -1

    def rules(self) -> tuple[HardRule, ...]:
        return (
            self.hard_rules
            if self.hard_rules is not None
            else tuple(default_hard_rules(self.comparisons))
        )
