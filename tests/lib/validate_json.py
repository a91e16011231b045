#!/usr/bin/python3
"""validate_json.py SCHEMA FILE...: checks each JSON file against a JSON Schema
(Debian's python3-jsonschema). Other schemas in the same folder resolve by
file name ($ref "manifest.schema.json"). Prints each violation; exit 1 if any."""
import json
import os
import sys

import jsonschema

path = sys.argv[1]
schema = json.load(open(path))
folder = os.path.dirname(os.path.abspath(path))
store = {}
for name in os.listdir(folder):
    if name.endswith(".json"):
        doc = json.load(open(os.path.join(folder, name)))
        store[doc.get("$id", name)] = doc
        store[name] = doc
resolver = jsonschema.RefResolver(base_uri=schema.get("$id", ""), referrer=schema, store=store)
validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
bad = 0
for doc_path in sys.argv[2:]:
    doc = json.load(open(doc_path))
    for err in validator.iter_errors(doc):
        bad += 1
        print(f"{doc_path}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
sys.exit(1 if bad else 0)
