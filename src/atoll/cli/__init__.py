"""The ``atoll`` command tree (click): a module per command group, ``shared`` for what they
share, ``formats`` and ``template_structs`` for ``--format`` output, ``main`` the entry."""
