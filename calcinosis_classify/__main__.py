"""``python -m calcinosis_classify``."""

import sys

from calcinosis_classify.cli import main

sys.exit(main())
