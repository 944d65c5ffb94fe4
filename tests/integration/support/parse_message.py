#!/usr/bin/python3
"""Reads one message file with Python's email package under policy=email.policy.strict (any
defect is an error) and prints what zmail's send tests compare, as JSON:

  parse_message.py FILE

  {"headers": {"subject": "...", ...}          decoded values (strict header parsing)
   "raw_headers": {"subject": "=?UTF-8?...", ...}
   "from": [{"name", "address"}], "to": [...], "cc": [...], "reply_to": [...],
   "has_bcc": bool, "content_type": "...",
   "text": {"content_type", "charset", "transfer_encoding", "bytes_hex", "text"} or null,
   "attachments": [{"filename", "content_type", "charset", "bytes_hex", "name_param"}],
   "defects": [...]}

Exit status 1 with the exception on stderr when the strict parser refuses the message.
"""

import email
import email.policy
import json
import sys


def addresses(msg, name):
    header = msg[name]
    if header is None:
        return []
    return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]


def collect_defects(part, out):
    out.extend(str(d) for d in part.defects)
    for value in part.values():
        out.extend(str(d) for d in getattr(value, "defects", ()))


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    msg = email.message_from_bytes(data, policy=email.policy.strict)
    defects = []
    result = {
        "headers": {k.lower(): str(v) for k, v in msg.items()},
        "raw_headers": {},
        "from": addresses(msg, "From"),
        "to": addresses(msg, "To"),
        "cc": addresses(msg, "Cc"),
        "reply_to": addresses(msg, "Reply-To"),
        "has_bcc": msg["Bcc"] is not None,
        "content_type": msg.get_content_type(),
        "text": None,
        "attachments": [],
    }
    raw = email.message_from_bytes(data, policy=email.policy.compat32)
    result["raw_headers"] = {k.lower(): v for k, v in raw.items()}
    for part in msg.walk():
        collect_defects(part, defects)
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None and part.get_content_maintype() == "text" and result["text"] is None:
            charset = part.get_content_charset() or "us-ascii"
            result["text"] = {
                "content_type": part.get_content_type(),
                "charset": charset,
                "transfer_encoding": part.get("Content-Transfer-Encoding", ""),
                "bytes_hex": payload.hex(),
                "text": payload.decode(charset),
            }
        else:
            result["attachments"].append({
                "filename": filename,
                "content_type": part.get_content_type(),
                "name_param": part.get_param("name"),
                "disposition": part.get_content_disposition(),
                "transfer_encoding": part.get("Content-Transfer-Encoding", ""),
                "bytes_hex": payload.hex(),
            })
    result["defects"] = defects
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1]))
    except Exception as e:  # the strict policy raises on any defect
        print("strict parsing failed: %r" % (e,), file=sys.stderr)
        sys.exit(1)
