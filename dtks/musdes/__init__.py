"""The village deliberation package (musyawarah desa / kelurahan): from the reconciled registry,
the desil lists and the village population register, the lists a village deliberation works
through, with evidence and source rows, and the statuses operators give each line.

    register = register_rows(register_raw, persons, sources, kecamatan)   # matched residents
    items = deliberation_items(register, persons, sources, households, desil_households,
                               desil_rows, deactivations, programme_cutoffs())
    read = read_status_workbooks([reports_dir / "musdes", review_dir / "musdes"])
    ledger = merge_statuses(load_ledger(review_dir), read.entries, items)
    items = apply_statuses(items, ledger)                                # status, history
    write_village_workbook(path, items_of_village, ...)                  # reports/musdes/<v>.xlsx

No Dagster, no Great Expectations here (`dtks.stages.musdes` runs it on the work store).
"""

from dtks.musdes.items import ITEM_SCHEMA, KINDS, REASONS, deliberation_items, item_id
from dtks.musdes.register import REGISTER_ROW_SCHEMA, register_rows
from dtks.musdes.settings import ProgrammeCutoffs, programme_cutoffs
from dtks.musdes.status import (
    STATUSES,
    WORKBOOK_STATUSES,
    apply_statuses,
    load_ledger,
    merge_statuses,
    read_status_workbooks,
    save_ledger,
)
from dtks.musdes.workbook import write_village_workbook

__all__ = [
    "ITEM_SCHEMA",
    "KINDS",
    "REASONS",
    "REGISTER_ROW_SCHEMA",
    "STATUSES",
    "WORKBOOK_STATUSES",
    "ProgrammeCutoffs",
    "apply_statuses",
    "deliberation_items",
    "item_id",
    "load_ledger",
    "merge_statuses",
    "programme_cutoffs",
    "read_status_workbooks",
    "register_rows",
    "save_ledger",
    "write_village_workbook",
]
