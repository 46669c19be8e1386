"""Publishing: the curated tables, their COMMENTs and masking, the files they go to, the run
history and the submission upward.

- `tables`: one declaration per published table (name, rows, COMMENTs, masking, files);
  the copies, the masked copies, the COMMENTs and the docs' table list derive from it.
- `comments`: the column descriptions the declarations name; `views`: the convenience views.
- `computed`: the tables computed at publish (village status, review queue).
- `masking`: how the masked file hides identifiers (in SQL).
- `paths`: the full and the masked file, each in a folder of its own.
- `atomic`: build a DuckDB file (or a folder) beside the old one and swap it in.
- `run_history`: one row per run, published or failed (the failure sensor writes it too).
- `submission`: the DTKS-layout files sent upward and the deactivation lists.

The stage runner `dtks.stages.publish` orders these steps over the work store.
"""
