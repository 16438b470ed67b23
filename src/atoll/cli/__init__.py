"""The ``atoll`` command tree (click): a module per command group, ``commands`` the table of them,
``tree`` the click group, ``main`` the entry (help and version answered without click).

``shared`` holds what the groups share; ``formats`` and ``template_structs`` the ``--format``
output."""
