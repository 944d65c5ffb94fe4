#!/bin/bash
# bench/corpus.py: same arguments give byte-identical output; every message parses with Python's
# strict email policy; headers and bodies decode to the intended Japanese/Chinese text; Maildir
# file names carry the right ,S= and ,W= sizes and flags; folder names are modified UTF-7.
# Needs only Debian's /usr/bin/python3 (no mail server, no zmail binary).
set -euo pipefail

source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
corpus=$source_dir/bench/corpus.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() {  # generate OUTDIR
    local args=(--messages 150 --folders 14 --seed 7 --max-size 200000 --large 1 --attachment-rate 0.05)
    /usr/bin/python3 "$corpus" "${args[@]}" --maildir "$1/maildir" --manifest "$1/maildir.json"
    /usr/bin/python3 "$corpus" "${args[@]}" --eml-dir "$1/eml" --manifest "$1/eml.json"
}

fingerprint() {  # every file's path and sha256, and the mtime of every message, in a stable order
    (cd "$1" && find . -type f -printf '%p\t%T@\n' | LC_ALL=C sort | while IFS=$'\t' read -r path mtime; do
        case $path in *.json|*/maildirfolder) mtime=-;; esac
        printf '%s\t%s\t%s\n' "$path" "$mtime" "$(sha256sum < "$path" | cut -d' ' -f1)"
    done)
}

generate "$work/one"
generate "$work/two"
if ! diff <(fingerprint "$work/one") <(fingerprint "$work/two") > "$work/diff"; then
    echo "FAIL: two runs with the same arguments differ:" >&2
    head -20 "$work/diff" >&2
    exit 1
fi
echo "ok: deterministic ($(fingerprint "$work/one" | wc -l) files)"

if /usr/bin/python3 "$corpus" --messages 150 --folders 14 --seed 8 --max-size 200000 --eml-dir "$work/other" &&
   diff -rq "$work/one/eml" "$work/other" > /dev/null; then
    echo "FAIL: a different seed gives the same corpus" >&2
    exit 1
fi

/usr/bin/python3 - "$work/one" <<'EOF'
import email.header, email.parser, email.policy, hashlib, json, os, re, sys

root = sys.argv[1]
failures = []

def fail(message):
    failures.append(message)

# Written out by hand, independent of the generator's own encoder.
MUTF7 = {"送信済み": ".&kAFP4W4IMH8-", "仕事/プロジェクト": ".&TtVOiw-.&MNcw7TC4MKcwrzDI-",
         "已发送": ".&XfJT0ZAB-", "客户/北京": ".&W6JiNw-.&UxdOrA-", "家族 & 友人": ".&W7Zlzw- &- &U8tOug-"}
SUBJECTS_JA = {"会議資料の送付", "【重要】サーバーメンテナンスのお知らせ", "見積書（再送）", "議事録：定例ミーティング",
               "出張の件", "請求書の発行について", "新プロジェクト体制のご相談",
               "来期の予算案について、各部署からのご意見を取りまとめた資料をお送りしますのでご確認ください"}
SUBJECTS_ZH = {"本月销售报告", "北京项目进度", "合同条款确认", "服务器维护通知", "春节放假安排",
               "关于上海客户订单延迟发货的情况说明以及后续处理方案，请各部门负责人务必在本周五之前回复"}

def strip_prefix(subject):
    return re.sub(r"^(Re|Fwd): ", "", subject)

def check_message(path, data, entry, crlf):
    if crlf:
        if re.search(rb"(?<!\r)\n", data) or re.search(rb"\r(?!\n)", data):
            fail("%s: not CRLF throughout" % path)
    elif b"\r" in data:
        fail("%s: CR in an LF file" % path)
    if any(len(line) > 998 for line in data.split(b"\n")):
        fail("%s: a line longer than 998 octets" % path)
    message = email.parser.BytesParser(policy=email.policy.strict).parsebytes(data)
    texts = []
    for part in message.walk():
        if part.defects:
            fail("%s: defects %r" % (path, part.defects))
        for name, value in part.items():
            if getattr(value, "defects", None):
                fail("%s: header %s: defects %r" % (path, name, value.defects))
            if "\ufffd" in str(value):
                fail("%s: header %s does not decode cleanly" % (path, name))
        if part.is_multipart():
            continue
        content = part.get_content()
        filename = part.get_filename()
        if filename is not None:
            want = [a for a in entry["attachments"] if a["filename"] == filename]
            if not want or hashlib.sha256(content).hexdigest() != want[0]["sha256"]:
                fail("%s: attachment %r does not match" % (path, filename))
        elif part.get_content_type() == "text/plain":
            texts.append(content.replace("\r\n", "\n"))
    if [hashlib.sha256(t.encode()).hexdigest() for t in texts] != entry["text_sha256"]:
        fail("%s: body text differs from what was generated" % path)
    if str(message["subject"]) != entry["subject"]:
        fail("%s: subject %r, expected %r" % (path, str(message["subject"]), entry["subject"]))
    sender = message["from"].addresses[0]
    if sender.addr_spec != entry["from_address"] or display_names(data, "From") != [entry["from_name"]]:
        fail("%s: from %r" % (path, sender))
    if display_names(data, "To") != entry["to_names"]:
        fail("%s: to %r" % (path, message["to"].addresses))
    # Python's address parser keeps the space between adjacent encoded-words (RFC 2047 6.2 says
    # to drop it), so compare its display names without spaces; display_names() decodes exactly.
    if [a.display_name.replace(" ", "") for a in message["to"].addresses] != \
            [n.replace(" ", "") for n in entry["to_names"]]:
        fail("%s: to %r" % (path, message["to"].addresses))
    return message

def display_names(data, name):
    """Display names of the address header name, decoded with email.header (RFC 2047 6.2 rules)."""
    raw = re.search(rb"^" + name.encode() + rb":(.*(?:\r?\n[ \t].*)*)", data, re.M).group(1)
    raw = re.sub(r"\r?\n([ \t])", r"\1", raw.decode("ascii")).strip()
    names = []
    for mailbox in re.findall(r'\s*((?:"(?:[^"\\]|\\.)*"|[^",<])*)<[^>]*>,?', raw):
        mailbox = mailbox.strip()
        if mailbox.startswith('"'):
            names.append(re.sub(r"\\(.)", r"\1", mailbox[1:-1]))
        else:
            names.append(str(email.header.make_header(email.header.decode_header(mailbox))))
    return names

def check_tree(kind, crlf):
    with open(os.path.join(root, kind + ".json"), encoding="utf-8") as f:
        manifest = json.load(f)
    entries = manifest["entries"]
    seen = {"styles": set(), "charsets": set(), "tricky": 0, "ja": 0, "zh": 0, "ids": set(), "structures": set()}
    for entry in entries:
        path = os.path.join(root, kind, entry["path"])
        with open(path, "rb") as f:
            data = f.read()
        message = check_message(entry["path"], data, entry, crlf)
        raw_subject = re.search(rb"^Subject:(.*(?:\r?\n[ \t].*)*)", data, re.M).group(1)
        subject = strip_prefix(str(message["subject"]))
        if b"=?ISO-2022-JP?B?" in raw_subject and subject in SUBJECTS_JA:
            seen["ja"] += 1
        if b"=?GB18030?B?" in raw_subject and subject in SUBJECTS_ZH:
            seen["zh"] += 1
        seen["styles"].add(entry["subject_style"])
        seen["charsets"].update(entry["body_charsets"])
        seen["structures"].add(entry["structure"])
        seen["tricky"] += bool(re.search(rb"\n\.\r?\n", data)) and bool(re.search(rb"\nFrom ", data))
        seen["ids"].add(str(message["message-id"]))
        if kind == "maildir":
            check_maildir_name(entry, data)
    if len(seen["ids"]) != len(entries):
        fail("%s: Message-IDs are not unique" % kind)
    for style in ("ascii", "iso2022jp", "gb18030", "utf8b", "utf8q"):
        if style not in seen["styles"]:
            fail("%s: no subject in style %s" % (kind, style))
    for charset in ("ISO-2022-JP", "GB18030", "UTF-8"):
        if charset not in seen["charsets"]:
            fail("%s: no body in %s" % (kind, charset))
    for structure in ("text/plain", "multipart/alternative", "multipart/mixed"):
        if structure not in seen["structures"]:
            fail("%s: no %s message" % (kind, structure))
    if not seen["ja"] or not seen["zh"] or not seen["tricky"]:
        fail("%s: missing ISO-2022-JP/GB18030 subjects or dot/From lines: %r" % (kind, seen))
    return manifest

def check_maildir_name(entry, data):
    name = os.path.basename(entry["path"])
    m = re.fullmatch(r"[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\.bench,S=([0-9]+),W=([0-9]+)(:2,([A-Z]*))?", name)
    if not m:
        fail("bad Maildir name %s" % name)
        return
    crlf_size = len(data) + data.count(b"\n") - data.count(b"\r\n")
    if int(m.group(1)) != len(data) or int(m.group(2)) != crlf_size:
        fail("%s: S=/W= do not match %d/%d" % (name, len(data), crlf_size))
    in_new = entry["path"].split("/")[-2] == "new"
    if in_new != (m.group(3) is None):
        fail("%s: info part wrong for its directory" % entry["path"])
    flags = m.group(4) or ""
    if flags != "".join(sorted(flags)) or set(flags) - set("DFRS"):
        fail("%s: flags %r" % (name, flags))

manifest = check_tree("maildir", crlf=True)
check_tree("eml", crlf=False)

maildir = os.path.join(root, "maildir")
for folder, directory in MUTF7.items():
    if folder in manifest["folders"]:
        for sub in ("cur", "new", "tmp"):
            if not os.path.isdir(os.path.join(maildir, directory, sub)):
                fail("folder %s: no %s/%s" % (folder, directory, sub))
missing = [f for f in ("送信済み", "仕事/プロジェクト", "已发送", "客户/北京") if f not in manifest["folders"]]
if missing:
    fail("folders missing: %r" % missing)
counted = sum(len(os.listdir(os.path.join(d, s))) for d in [maildir] +
              [os.path.join(maildir, n) for n in os.listdir(maildir) if n.startswith(".")] for s in ("cur", "new"))
if counted != manifest["messages"] or sum(manifest["counts"].values()) != manifest["messages"]:
    fail("message count: %d files, manifest says %d" % (counted, manifest["messages"]))
flags = [e["flags"] for e in manifest["entries"] if e["folder"] not in ("送信済み", "已发送", "下書き")]
seen_share = sum("S" in f for f in flags) / len(flags)
if not 0.55 < seen_share < 0.85 or not any("F" in f for f in flags) or not any("R" in f for f in flags):
    fail("received mail's flag mix unrealistic: %.2f seen, %r" % (seen_share, sorted(set(flags))))

if failures:
    for line in failures[:30]:
        print("FAIL:", line)
    sys.exit(1)
print("ok: %d messages parse strictly, decode as generated, Maildir names and folders right" % manifest["messages"])
EOF
echo "PASS"
