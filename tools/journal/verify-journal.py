#!/usr/bin/env python3
"""Verify the gateway's evidential access journal: a keyed chain, signed checkpoints, rotated files, anchors.

Usage:
    verify-journal.py JOURNAL --chain-key-file F [--public-key PEM] [--anchor FILE ...] [--allow-missing-start]

Line formats (UTF-8, each terminated by "\\n"):
    {"entry":ENTRY,"prev":"PREV","hash":"HASH"}          a chained line
    {"checkpoint":CP,"sig":"SIG"}                         a signed checkpoint (not part of the chain)
ENTRY is compact JSON with an integer "seq" (1 on the chain's first line, +1 per line, across rotated files).
PREV is the previous chained line's HASH (64 zeros on the first line). HASH is the lowercase hex
HMAC-SHA256 under the chain key of the UTF-8 bytes of PREV followed by ENTRY exactly as written.
CP is compact JSON {"instance","seq","head","time","key_id"}: head is the HASH of line seq N. SIG is the base64
ECDSA P-256 / SHA-256 signature (IEEE P1363, r||s) over CP's exact bytes. Entries with "event" are the gateway's
own; "resumed" accounts for a line torn by a crash (torn_bytes, torn_sha256) just before it.

The rotation set is JOURNAL plus its siblings <stem>.*<ext> (rotated files; .legacy- files are left out),
ordered by their first seq. An anchor file holds checkpoint lines (the default is JOURNAL.anchor when it exists;
the output of `redis-cli --raw GET <prefix>journal:anchor:<instance>` works too): its latest checkpoint must be
in the journal, otherwise lines were cut from the end.

Exit codes: 0 = OK, 1 = broken (the first broken line, or a set-level problem), 2 = usage or read error.
"""
import argparse
import base64
import binascii
import glob
import hashlib
import hmac
import json
import os
import re
import sys

ZERO_HASH = "0" * 64
CHAIN_RE = re.compile(rb'\{"entry":(?P<entry>.*),"prev":"(?P<prev>[0-9a-f]{64})","hash":"(?P<hash>[0-9a-f]{64})"\}', re.DOTALL)
CHECKPOINT_RE = re.compile(rb'\{"checkpoint":(?P<cp>\{.*\}),"sig":"(?P<sig>[A-Za-z0-9+/=]*)"\}', re.DOTALL)


class Broken(Exception):
    """The journal is broken: message says where and why."""


class UsageError(Exception):
    """Bad arguments or unreadable input."""


def load_public_key(path):
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        raise UsageError("--public-key needs the python3 'cryptography' module (Debian: apt-get install python3-cryptography)")
    try:
        with open(path, "rb") as f:
            key = serialization.load_pem_public_key(f.read())
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read the public key {path}: {e}")
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise UsageError(f"{path} is not an ECDSA P-256 public key")
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, hashlib.sha256(der).hexdigest()[:16]


def signature_ok(public_key, cp_bytes, sig_b64):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    try:
        raw = base64.b64decode(sig_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 64:
        return False
    der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, cp_bytes, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def parse_checkpoint(raw):
    """Return (cp dict, cp bytes, sig) for a checkpoint line, or None."""
    m = CHECKPOINT_RE.fullmatch(raw)
    if not m:
        return None
    try:
        cp = json.loads(m.group("cp").decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(cp, dict) or not isinstance(cp.get("seq"), int) or not isinstance(cp.get("head"), str):
        return None
    return cp, m.group("cp"), m.group("sig").decode("ascii")


def parse_chained(raw):
    """Return (entry dict, entry bytes, prev, hash) for a chained line, or None."""
    m = CHAIN_RE.fullmatch(raw)
    if not m:
        return None
    try:
        entry = json.loads(m.group("entry").decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int) or isinstance(entry.get("seq"), bool):
        return None
    return entry, m.group("entry"), m.group("prev").decode("ascii"), m.group("hash").decode("ascii")


def split_lines(data):
    """[(bytes, terminated)] of a file's content."""
    parts = data.split(b"\n")
    lines = [(p, True) for p in parts[:-1]]
    if parts[-1]:
        lines.append((parts[-1], False))
    return lines


def rotation_set(journal):
    folder = os.path.dirname(journal) or "."
    name = os.path.basename(journal)
    stem, ext = os.path.splitext(name)
    files = [journal] if os.path.exists(journal) else []
    for path in sorted(glob.glob(os.path.join(glob.escape(folder), glob.escape(stem) + ".*" + glob.escape(ext)))):
        base = os.path.basename(path)
        if base == name or ".legacy-" in base or base.endswith(".anchor") or not os.path.isfile(path):
            continue
        files.append(path)
    return files


def first_seq(lines):
    for raw, terminated in lines:
        if terminated:
            parsed = parse_chained(raw)
            if parsed:
                return parsed[0]["seq"]
    return None


def latest_anchor(path):
    """The last checkpoint line of an anchor file: (cp, cp bytes, sig)."""
    try:
        with open(path, "rb") as f:
            lines = [l.strip() for l in f.read().split(b"\n") if l.strip()]
    except OSError as e:
        raise UsageError(f"cannot read the anchor {path}: {e.strerror or e}")
    if not lines:
        raise UsageError(f"the anchor {path} holds no checkpoint")
    parsed = parse_checkpoint(lines[-1])
    if not parsed:
        raise UsageError(f"the last line of the anchor {path} is not a checkpoint line")
    return parsed


def verify(journal, chain_key, public_key=None, key_id=None, anchors=(), allow_missing_start=False):
    """Return (exit code, message)."""
    paths = rotation_set(journal)
    if not paths:
        raise UsageError(f"cannot read {journal}: no such file")
    files = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                lines = split_lines(f.read())
        except OSError as e:
            raise UsageError(f"cannot read {path}: {e.strerror or e}")
        files.append((path, lines, first_seq(lines)))
    # Files with chained lines by their first seq; a file without any (fresh after rotation) last.
    files.sort(key=lambda f: (f[2] is None, f[2] or 0))

    anchor_cps = []
    for path in anchors:
        cp, cp_bytes, sig = latest_anchor(path)
        if public_key is not None and not signature_ok(public_key, cp_bytes, sig):
            return 1, f"BROKEN: the anchor {path}'s checkpoint (seq {cp['seq']}) has a signature that does not verify"
        anchor_cps.append((path, cp))
    wanted = {cp["seq"] for _, cp in anchor_cps}
    hashes_of_wanted = {}

    prev_hash, prev_seq = None, 0
    chained = checkpoints = unsigned = 0
    last_checkpoint_seq = None
    instances = set()
    torn = None          # (file, line number, bytes) of a torn line awaiting its "resumed" entry
    notes = []
    for index, (path, lines, start) in enumerate(files):
        last_file = index == len(files) - 1
        if start is not None and prev_hash is not None and start != prev_seq + 1:
            if start > prev_seq + 1:
                return 1, (f"BROKEN: seq {prev_seq + 1} to {start - 1} are missing between {files[index - 1][0]} and {path} "
                           f"(a rotated file was removed from the set?)")
            return 1, f"BROKEN: {path} starts at seq {start}, which {files[index - 1][0]} already holds (overlapping files)"
        for k, (raw, terminated) in enumerate(lines, start=1):
            where = f"BROKEN at {path}:{k}:"
            at_end = last_file and k == len(lines)
            chained_line = parse_chained(raw) if terminated else None
            checkpoint = parse_checkpoint(raw) if terminated and not chained_line else None
            if not chained_line and not checkpoint:
                if torn is not None:
                    return 1, f"BROKEN at {torn[0]}:{torn[1]}: it is not a journal line and no resumed entry accounts for it"
                if at_end:
                    notes.append(f"torn tail: the last line ({path}:{k}, {len(raw)} bytes) was cut short, as by a crash while "
                                 f"writing; the gateway will record it when it restarts")
                    continue
                if raw.endswith(b"\r"):
                    return 1, f"{where} it ends with CRLF: the file was rewritten with Windows line endings"
                torn = (path, k, raw)
                continue
            if checkpoint:
                if torn is not None:
                    return 1, f"BROKEN at {torn[0]}:{torn[1]}: it is not a journal line and no resumed entry accounts for it"
                cp, cp_bytes, sig = checkpoint
                if prev_hash is None or cp["seq"] != prev_seq or cp["head"] != prev_hash:
                    return 1, (f"{where} the checkpoint of seq {cp['seq']} does not match the line before it "
                               f"(seq {prev_seq}): a forged or misplaced checkpoint")
                if public_key is not None:
                    if cp.get("key_id") != key_id:
                        return 1, f"{where} the checkpoint names key {cp.get('key_id')}, not the given public key ({key_id})"
                    if not signature_ok(public_key, cp_bytes, sig):
                        return 1, f"{where} the checkpoint's signature does not verify: it was forged or altered"
                checkpoints += 1
                unsigned = 0
                last_checkpoint_seq = cp["seq"]
                instances.add(cp.get("instance"))
                continue

            entry, entry_bytes, prev, digest = chained_line
            seq = entry["seq"]
            if torn is not None:
                expected = hashlib.sha256(torn[2]).hexdigest()
                if entry.get("event") != "resumed" or entry.get("torn_bytes") != len(torn[2]) or entry.get("torn_sha256") != expected:
                    return 1, f"BROKEN at {torn[0]}:{torn[1]}: it is not a journal line and no resumed entry accounts for it"
                notes.append(f"torn line at {torn[0]}:{torn[1]} ({len(torn[2])} bytes) left by a crash, acknowledged by the "
                             f"resumed entry seq {seq}")
                torn = None
            if prev_hash is None:
                if not allow_missing_start and (prev != ZERO_HASH or seq != 1):
                    return 1, (f"{where} the chain does not start here (seq {seq}, prev not 64 zeros): the beginning of the "
                               f"journal was removed or rewritten (use --allow-missing-start for a deliberately pruned set)")
            elif prev != prev_hash:
                return 1, (f"{where} it does not follow the line before it (its prev is not seq {prev_seq}'s hash): "
                           f"a line before it was removed, reordered or rewritten")
            if not hmac.compare_digest(hmac.new(chain_key, prev.encode("ascii") + entry_bytes, hashlib.sha256).hexdigest(), digest):
                return 1, (f"{where} its hash is not the HMAC of its content under the chain key: it was changed after it was "
                           f"written, or written by someone without the key (or the key is not this journal's)")
            if prev_hash is not None and seq != prev_seq + 1:
                return 1, f"{where} it has seq {seq}, expected {prev_seq + 1}: lines were removed or reordered"
            if seq in wanted:
                hashes_of_wanted[seq] = digest
            prev_hash, prev_seq = digest, seq
            chained += 1
            unsigned += 1
    if torn is not None:
        return 1, f"BROKEN at {torn[0]}:{torn[1]}: it is not a journal line and no resumed entry accounts for it"

    for path, cp in anchor_cps:
        seq = cp["seq"]
        if seq not in hashes_of_wanted:
            return 1, (f"BROKEN: lines cut from the end (the anchor's checkpoint seq {seq} is not in the journal, "
                       f"which ends at seq {prev_seq}; anchor {path})")
        if hashes_of_wanted[seq] != cp["head"]:
            return 1, (f"BROKEN: the journal's line seq {seq} is not the one the anchor's checkpoint signed "
                       f"(rewritten lines; anchor {path})")

    first = files[0][2]
    summary = [f"OK: {chained} lines chained (seq {first if first is not None else 0} to {prev_seq}) in {len(files)} "
               f"file{'s' if len(files) != 1 else ''}, {checkpoints} checkpoint{'s' if checkpoints != 1 else ''}"]
    if instances:
        summary.append(f"instance {', '.join(sorted(str(i) for i in instances))}")
    summary.append("signatures verified" if public_key is not None else
                   "signatures NOT checked (no --public-key)")
    if last_checkpoint_seq is None:
        summary.append(f"unsigned tail: {unsigned} lines (no checkpoint)")
    else:
        summary.append(f"last checkpoint at seq {last_checkpoint_seq}, unsigned tail: {unsigned} lines after it")
    if anchor_cps:
        summary.append("anchor checkpoint" + ("s" if len(anchor_cps) > 1 else "") + " found in the journal (seq "
                       + ", ".join(str(cp["seq"]) for _, cp in anchor_cps) + ")")
    else:
        summary.append("no anchor: lines cut after the last in-file checkpoint (checkpoint included) cannot be detected")
    message = "; ".join(summary)
    if notes:
        message += "\n" + "\n".join("note: " + n for n in notes)
    return 0, message


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("journal", metavar="JOURNAL", help="the journal file (its rotated siblings are found beside it)")
    parser.add_argument("--chain-key-file", required=True, help="file holding the base64 chain key (Gateway:Security:Journal:ChainKey)")
    parser.add_argument("--public-key", help="PEM of the checkpoint signing key's public key (openssl ec -pubout)")
    parser.add_argument("--anchor", action="append", default=[], help="an anchor file (repeatable); default JOURNAL.anchor when it exists")
    parser.add_argument("--allow-missing-start", action="store_true", help="accept a set whose first lines were pruned")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        try:
            with open(args.chain_key_file, "rb") as f:
                chain_key = base64.b64decode(f.read().strip(), validate=True)
        except OSError as e:
            raise UsageError(f"cannot read the chain key file {args.chain_key_file}: {e.strerror or e}")
        except (binascii.Error, ValueError):
            raise UsageError(f"{args.chain_key_file} does not hold a base64 chain key")
        if len(chain_key) < 32:
            raise UsageError(f"the chain key in {args.chain_key_file} is shorter than 32 bytes")
        public_key, key_id = load_public_key(args.public_key) if args.public_key else (None, None)
        anchors = args.anchor or ([args.journal + ".anchor"] if os.path.exists(args.journal + ".anchor") else [])
        code, message = verify(args.journal, chain_key, public_key, key_id, anchors, args.allow_missing_start)
    except UsageError as e:
        print(f"verify-journal: {e}", file=sys.stderr)
        return 2
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
