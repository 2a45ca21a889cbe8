#!/usr/bin/env python3
"""Verify a tamper-evident access journal (SHA-256 hash chain) written by the gateway.

Each line (UTF-8, terminated by "\\n") is exactly:
    {"entry":<ENTRY>,"prev":"<PREV>","hash":"<HASH>"}
ENTRY is a compact JSON object with an integer "seq" (1 on the first line, then +1 per line).
PREV is the previous line's HASH (64 zeros on the first line).
HASH is lowercase hex sha256(UTF-8 bytes of PREV + ENTRYTEXT), where ENTRYTEXT is the
exact text of ENTRY as it appears in the line.

Exit codes: 0 = chain intact, 1 = broken (first broken line reported), 2 = usage/read error.
"""
import argparse
import hashlib
import json
import re
import sys

ZERO_HASH = "0" * 64
LINE_RE = re.compile(
    r'\{"entry":(?P<entry>.*),"prev":"(?P<prev>[0-9a-f]{64})","hash":"(?P<hash>[0-9a-f]{64})"\}',
    re.DOTALL,
)


def check_line(k, raw, terminated, prev_hash, prev_seq):
    """Check one line; return (error_reason, None, None) or (None, hash, seq)."""
    if not terminated:
        return f"line {k} does not end with a newline: the last write was incomplete (truncated)", None, None
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        return f"line {k} is not valid UTF-8 ({e.reason} at byte {e.start}): it was corrupted", None, None
    if text.endswith("\r"):
        return f"line {k} ends with CRLF: the file was rewritten with Windows line endings", None, None
    m = LINE_RE.fullmatch(text)
    if not m:
        return f'line {k} is not in the journal format {{"entry":...,"prev":"<64 hex>","hash":"<64 hex>"}}', None, None
    entry_text, prev, digest = m.group("entry"), m.group("prev"), m.group("hash")
    try:
        entry = json.loads(entry_text)
    except ValueError as e:
        return f"line {k} has an entry that is not valid JSON ({e})", None, None
    if not isinstance(entry, dict):
        return f"line {k} has an entry that is not a JSON object", None, None
    seq = entry.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        return f'line {k} has no integer "seq" in its entry', None, None
    if prev != prev_hash:
        if k == 1:
            return (f"line 1 does not start a chain (its prev is not 64 zeros): "
                    f"the beginning of the journal was removed or rewritten"), None, None
        return (f"line {k} does not follow line {k - 1} (its prev is not line {k - 1}'s hash): "
                f"a line before it was removed, reordered or rewritten"), None, None
    if hashlib.sha256((prev + entry_text).encode("utf-8")).hexdigest() != digest:
        return f"line {k} was changed after it was written (its hash does not match its content)", None, None
    expected = prev_seq + 1
    if seq != expected:
        return f"line {k} has seq {seq}, expected {expected}: lines were removed or reordered", None, None
    return None, digest, seq


def verify(data):
    """Return (ok, message) for the journal bytes."""
    parts = data.split(b"\n")
    # After the last "\n" split yields b""; a non-empty last part is an unterminated line.
    lines = [(p, True) for p in parts[:-1]]
    if parts[-1]:
        lines.append((parts[-1], False))
    prev_hash, prev_seq = ZERO_HASH, 0
    for k, (raw, terminated) in enumerate(lines, start=1):
        reason, prev_hash, prev_seq = check_line(k, raw, terminated, prev_hash, prev_seq)
        if reason:
            return False, f"BROKEN at line {k}: {reason}"
    return True, f"OK: {len(lines)} lines, chain intact, last hash {prev_hash}"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("journal", metavar="JOURNAL_FILE", help="journal file to verify")
    args = parser.parse_args(argv)
    try:
        with open(args.journal, "rb") as f:
            data = f.read()
    except OSError as e:
        print(f"verify-journal: cannot read {args.journal}: {e.strerror or e}", file=sys.stderr)
        return 2
    ok, message = verify(data)
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
