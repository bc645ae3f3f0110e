import sys

from kapabel.testing.soak.run import main

sys.exit(main())
