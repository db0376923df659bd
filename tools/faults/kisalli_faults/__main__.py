"""python -m kisalli_faults, the same as kisalli-faults."""

import sys

from kisalli_faults.cli import main

sys.exit(main())
