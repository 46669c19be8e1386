"""Finding the same person across and within villages: blocking, Fellegi-Sunter scoring, safety rules, clusters.

Library API (pure Polars, no Dagster):

- `find_duplicates(clean, decisions=None, settings=None) -> MatchResult`: scored pairs with
  evidence and decisions, and every row's cluster (person) id. See its docstring for an example.
- `record_keys(clean)`: the stable key of each clean row (person-level IDDTKS, else NIK + name
  + birth date),
  which review decisions and cluster ids are keyed by.
- `normalise_decisions(decisions)`: clerks' must-link / cannot-link pairs in canonical form.
- `MatchSettings` (`dtks.match.settings`): thresholds, blocking rules, comparisons, training
  blocks, hard rules and the review queue's limit in one object.

How it decides (details in the modules): each file's IDDTKS column is read as a person's
or a family's id (`dtks.match.identifiers`; a family id is co-residence evidence only) and
NIKs carried by different people are marked (`dtks.match.shared_nik`); blocking rules
propose candidate pairs
(`dtks.match.blocking`); each comparison puts a pair in a level (`dtks.match.comparisons`);
Fellegi-Sunter weights, u from random pairs and m by EM on training blocks, with the u of
family members' pairs taken within one KK (`dtks.match.training`, `dtks.match.scoring`); the
merge / review / distinct thresholds are probabilities; hard safety rules override
(`dtks.match.rules`), the safety line first (`dtks.match.safety`: rows differing in two of
sex, birth date and name are two people); clerks' decisions override every rule but the
safety line (`dtks.match.decisions`, read from their workbooks by `dtks.review`); clusters
never hold a cannot-link pair (`dtks.match.clustering`).
"""

from dtks.match.blocking import BlockingRule, block_on, default_rules
from dtks.match.comparisons import Comparison, Level, default_comparisons
from dtks.match.decisions import CANNOT_LINK, MUST_LINK, normalise_decisions
from dtks.match.dedupe import CLUSTER_ID, MatchResult, find_duplicates
from dtks.match.keys import RECORD_KEY, record_keys, with_record_key
from dtks.match.rules import DISTINCT, MERGED, REVIEW, HardRule, default_hard_rules
from dtks.match.settings import MatchSettings, TrainingBlock, default_training_blocks

__all__ = [
    "CANNOT_LINK",
    "CLUSTER_ID",
    "DISTINCT",
    "MERGED",
    "MUST_LINK",
    "RECORD_KEY",
    "REVIEW",
    "BlockingRule",
    "Comparison",
    "HardRule",
    "Level",
    "MatchResult",
    "MatchSettings",
    "TrainingBlock",
    "block_on",
    "default_comparisons",
    "default_hard_rules",
    "default_rules",
    "default_training_blocks",
    "find_duplicates",
    "normalise_decisions",
    "record_keys",
    "with_record_key",
]
