#!/usr/bin/env python3
"""Validates FHIR R4 JSON documents with the `fhir.resources` models (6.4.0: FHIR 4.0.1, pydantic 1), an
implementation independent of the server's. Each argument is a file holding one resource (a Bundle validates its
entries). Prints one line per document and exits 1 on the first kind of failure it meets, after checking them all.

    python scripts/fhir_validate.py answers/*.json
"""
import json
import sys

from fhir.resources import construct_fhir_element


def main(paths):
    failures = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        kind = document.get("resourceType", "?")
        try:
            construct_fhir_element(kind, document)
            print(f"ok      {kind:<22} {path}")
        except Exception as error:  # the models' ValidationError names each faulty element
            failures += 1
            print(f"INVALID {kind:<22} {path}\n{error}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
