#!/usr/bin/env python3
from nexo.manage import main

if __name__ == "__main__":
    main()
