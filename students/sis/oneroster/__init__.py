"""OneRoster 1.1 and 1.2 bulk CSV packages, read as the Insights format (docs/import-format.md, "OneRoster")."""
