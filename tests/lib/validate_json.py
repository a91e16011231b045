#!/usr/bin/python3
"""validate_json.py SCHEMA FILE...: checks each JSON file against a JSON Schema
(Debian's python3-jsonschema). Prints each violation; exit 1 if any."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    doc = json.load(open(path))
    for err in validator.iter_errors(doc):
        bad += 1
        print(f"{path}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
sys.exit(1 if bad else 0)
