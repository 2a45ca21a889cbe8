#!/usr/bin/env python3
"""Scans captured gateway logs for personal identifiers in clear.

    scan-logs.py LOG_FILE [SEED_JSON]

Reports every line holding an IIN of the demo seed file, or any other 12-digit number whose IIN check
digit is valid (a real IIN would look like that). The identifiers themselves are never printed, only
masked. Exit 0 when clean, 1 when something was found, 2 when the log is missing or empty (a scan of
nothing proves nothing).
"""
import json
import os
import re
import sys

TWELVE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")  # not inside a hex id or a longer word
# A UUID's last group is twelve hex digits, all decimal about once in 280: with a valid check digit, a submission id or
# trace id would look like an IIN. UUIDs are blanked before the scan (an IIN is never written as one).
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def check_digit_valid(number: str) -> bool:
    digits = [int(c) for c in number]
    digit = sum(d * (i + 1) for i, d in enumerate(digits[:11])) % 11
    if digit == 10:
        digit = sum(d * w for d, w in zip(digits[:11], SECOND_WEIGHTS)) % 11
        if digit == 10:
            return False
    return digit == digits[11]


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    log_path = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    seed_path = sys.argv[2] if len(sys.argv) == 3 else os.path.join(
        root, "src", "ProviderGateway.DemoProviders", "seed", "demo-seed.json")
    if not os.path.isfile(log_path) or os.path.getsize(log_path) == 0:
        print(f"no captured logs at {log_path}: nothing was scanned", file=sys.stderr)
        return 2
    with open(seed_path, encoding="utf-8") as seed_file:
        seed = json.load(seed_file)
    seed_iins = {c["iin"] for c in seed.get("citizens", [])} | {a["iin"] for a in seed.get("utilityAccounts", [])}

    lines = 0
    found = []
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for number, line in enumerate(log, start=1):
            lines += 1
            for candidate in TWELVE_DIGITS.findall(UUID.sub("<uuid>", line)):
                if candidate in seed_iins or check_digit_valid(candidate):
                    found.append((number, candidate[:2] + "*" * 8 + candidate[-2:]))
    if found:
        for number, masked in found[:20]:
            print(f"line {number}: an IIN in clear ({masked})")
        print(f"FOUND {len(found)} IIN(s) in clear in {lines} log lines of {log_path}")
        return 1
    print(f"OK: no IIN in {lines} log lines of {log_path} ({len(seed_iins)} demo IINs and every check-digit-valid 12-digit number looked for)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
