"""``python -m rdp`` runs the ``rdp`` command."""

from rdp.cli.main import main

raise SystemExit(main())
