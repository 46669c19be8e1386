"""Masking rules of the masked published file: which columns identify a person, and how
each is masked, in SQL, so DuckDB masks the big tables without passing through Python."""

from __future__ import annotations

from dataclasses import dataclass

from dtks.privacy import mask_name_sql, mask_number_sql, mask_text_sql, rekey_sql
from dtks.store import quoted


@dataclass(frozen=True)
class Masking:
    """What a table's masked copy hides. A column is also covered when its name is one of
    these plus a suffix of `suffixes` (`nik_l` / `nik_r` of pairs, `nik_kept`)."""

    numbers: tuple[str, ...] = ()  # NIK, KK: region prefix and last 2 characters kept
    names: tuple[str, ...] = ()  # mothers' names: initials kept
    texts: tuple[str, ...] = ()  # free text we keep: every run of 9+ digits masked as a number
    dropped: tuple[str, ...] = ()  # free-form columns that may hold identifiers we cannot see
    keys: tuple[str, ...] = ()  # hashes of a NIK or KK: hashed again with the store's secret
    suffixes: tuple[str, ...] = ()
    description: str = ""  # for the docs' table list

    def select(self, columns: list[str], secret: str = "") -> str:
        """The select list of the masked copy of a table with these `columns`; key columns
        need the work store's `secret` (`dtks.privacy.identifier_secret`).

        >>> import duckdb
        >>> rows = "SELECT '3528114506890001' AS nik_l, 'SITI AMINAH' AS nama_ibu_kandung, 'x' AS extras"
        >>> duckdb.sql(f"SELECT {IDENTIFIERS.select(['nik_l', 'nama_ibu_kandung', 'extras'])} FROM ({rows})").fetchall()
        [('352811********01', 'S*** A*****')]
        """
        selected = []
        for column in columns:
            base = self._unsuffixed(column)
            if column in self.dropped:
                continue
            if base in self.numbers:
                selected.append(f"{mask_number_sql(column)} AS {quoted(column)}")
            elif base in self.names:
                selected.append(f"{mask_name_sql(column)} AS {quoted(column)}")
            elif base in self.texts:
                selected.append(f"{mask_text_sql(column)} AS {quoted(column)}")
            elif base in self.keys:
                if not secret:
                    raise ValueError(f"{column}: a key column is masked only with a secret")
                selected.append(f"{rekey_sql(column, secret)} AS {quoted(column)}")
            else:
                selected.append(quoted(column))
        return ", ".join(selected)

    def _unsuffixed(self, column: str) -> str:
        for suffix in self.suffixes:
            if column.endswith(suffix):
                return column.removesuffix(suffix)
        return column


# Columns that identify a person directly: NIK and KK masked, mothers' names reduced to
# initials, numbers inside the operators' notes masked, free-form columns dropped; the rule
# of every table that holds person rows.
IDENTIFIERS = Masking(
    numbers=("nik", "nik_as_written", "no_kk", "no_kk_as_written"),
    names=("nama_ibu_kandung", "nama_ibu_key"),
    texts=("keterangan", "catatan", "status_as_written"),  # typed by village operators
    dropped=("extras",),
    # made from a NIK or KK: record keys (NIK + name + birth date), register family keys
    keys=("record_key", "family_key", "subject_key", "item_id"),
    suffixes=("_l", "_r", "_kept"),
    description="NIK, KK masked (in notes too); mother's name as initials; keys made from "
    "them hashed again with a secret; `extras` dropped",
)
# Tables with no column that identifies a person (counts, file names): copied as they are.
NOTHING = Masking(description="as in the full file (no identifying column)")
