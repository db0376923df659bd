"""python -m kisalli_demo, the same as kisalli-demo."""

import sys

from kisalli_demo.cli import main

sys.exit(main())
