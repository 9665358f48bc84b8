"""run.py GROUP [NAME...] - runs a group's scenarios (py/GROUP.py) on
Python's socket, selectors, socketserver and ssl modules, one line each on
stdout, for driver.py to compare with conformance-skt's."""
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conf  # noqa: E402


def main(argv):
    if len(argv) < 2:
        print("usage: run.py GROUP [NAME...]", file=sys.stderr)
        return 2
    importlib.import_module(argv[1])
    return 0 if conf.run(set(argv[2:]) or None) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
