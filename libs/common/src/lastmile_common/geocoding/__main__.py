"""`python -m lastmile_common.geocoding prepare [--map FILE]`: index the map's addresses."""

from lastmile_common.geocoding.commands import main

raise SystemExit(main())
