#!/usr/bin/env python3
"""Validates every line of JSON Lines files against a JSON Schema with the
reference `jsonschema` validator, so the schema and the writer cannot drift apart.

Usage: validate-jsonl.py SCHEMA FILE...   Prints "N lines valid" or each error; exit 1 on any error.
"""
import json, sys
import jsonschema

schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
count, errors = 0, 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            count += 1
            for error in validator.iter_errors(json.loads(line)):
                errors += 1
                print(f"{path}:{number}: {error.message} at {list(error.absolute_path)}")
print(f"{count} lines valid" if errors == 0 else f"{errors} errors in {count} lines")
sys.exit(1 if errors or count == 0 else 0)
