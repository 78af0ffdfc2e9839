import sys

from flashsim.cli import main

sys.exit(main())
