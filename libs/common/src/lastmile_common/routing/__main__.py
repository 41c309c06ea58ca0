"""`python -m lastmile_common.routing prepare [--map FILE]`: prepare the map's datasets."""

from lastmile_common.routing.commands import main

raise SystemExit(main())
