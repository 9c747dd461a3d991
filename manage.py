#!/usr/bin/env python
from chamber.cli import main

if __name__ == "__main__":
    main()
