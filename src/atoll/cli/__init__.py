"""The ``atoll`` command tree (click): a module per command group, ``shared`` for what they
share, ``formats`` and ``template_structs`` for ``--format`` output, ``commands`` the table of
commands, ``tree`` the click group, ``main`` the entry (help and version without click)."""
