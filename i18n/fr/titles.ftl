# French titles of the cases (suites/*.toml) and of the artifact rules (harness/rules/src/table.rs), by id.
