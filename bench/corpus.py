#!/usr/bin/python3
"""A deterministic mail corpus for zmail's benchmarks and tests.

  corpus.py --maildir DIR  [options]   write a Dovecot-style Maildir++ tree (INBOX is DIR itself)
  corpus.py --eml-dir DIR  [options]   write NNNNNN.eml files (LF line endings, no delivery headers)
  corpus.py --load FIXTURE --user USER [options]
                                       write into USER's Maildir in the running test fixture
                                       (tests/fixture/mailserver.py), then doveadm force-resync and
                                       check the message counts with doveadm mailbox status

Options: --messages N, --folders K (INBOX counts as one), --seed S, --max-size BYTES,
--large N (messages close to --max-size), --attachment-rate F, --manifest FILE (JSON description
of every message: folder, file, flags, decoded headers), --lf (Maildir files with LF instead of
CRLF line endings).

The same arguments give byte-identical files (and the same mtimes). Message i depends only on
(seed, i), except which few messages are the --large ones and which unseen INBOX messages wait
in new/, so a smaller corpus is nearly a prefix of a bigger one. The material (sentences, names,
folder names) and the header encoders are in corpus_text.py. Standard library only; runs under
Debian's /usr/bin/python3.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from corpus_text import (  # noqa: E402
    ASCII_PEOPLE, ASCII_SUBJECTS, ATTACHMENT_NAMES, DRAFT_FOLDERS, EN_SENTENCES, EPOCH, FOLDERS, JA_PEOPLE,
    JA_SENTENCES, JA_SUBJECTS, MONTHS, SELF, SENT_FOLDERS, TRICKY_LINES, UTF8_PEOPLE, UTF8_SUBJECTS, WEEKDAYS,
    ZH_PEOPLE, ZH_SENTENCES, ZH_SUBJECTS, ZH_TW_SENTENCES, ZONES, address_header, base64_lines, fold, header_text,
    mutf7, param_header, quoted_printable, rfc2231_param, wrap)

# ---------------------------------------------------------------- one message


def rfc5322_date(moment):
    offset = moment.utcoffset().total_seconds() // 60
    sign = "+" if offset >= 0 else "-"
    offset = abs(int(offset))
    return "%s, %d %s %d %02d:%02d:%02d %s%02d%02d" % (
        WEEKDAYS[moment.weekday()], moment.day, MONTHS[moment.month - 1], moment.year,
        moment.hour, moment.minute, moment.second, sign, offset // 60, offset % 60)


def message_id(seed, index):
    digest = hashlib.sha1(("%s:%d" % (seed, index)).encode()).hexdigest()[:12]
    return "<%06d.%s@bench.example.test>" % (index, digest)


def message_time(seed, index):
    rng = random.Random("time:%s:%d" % (seed, index))
    return int(EPOCH.timestamp()) + index * 900 + rng.randrange(900)


class Corpus:
    """Describes the corpus; message(i) builds message i on demand."""

    def __init__(self, messages, folders, seed, max_size, large, attachment_rate, address="user@example.test"):
        if folders < 1:
            raise ValueError("--folders must be at least 1")
        self.count = messages
        self.seed = seed
        self.max_size = max_size
        self.attachment_rate = attachment_rate
        self.self_person = (SELF[0],) + tuple(address.split("@", 1))
        self.folders = FOLDERS[:folders] + ["Archive/Bulk %02d" % n for n in range(folders - len(FOLDERS))]
        self.large = set()
        if large > 0 and messages > 0:
            step = messages / min(large, messages)
            self.large = {int(step * k + step / 2) for k in range(min(large, messages))}

    def folder_of(self, index):
        if len(self.folders) == 1:
            return self.folders[0]
        rng = random.Random("folder:%s:%d" % (self.seed, index))
        if rng.random() < 0.35:
            return "INBOX"
        return self.folders[1 + rng.randrange(len(self.folders) - 1)]

    def flags_of(self, index, folder):
        rng = random.Random("flags:%s:%d" % (self.seed, index))
        if folder in SENT_FOLDERS:
            return "S"
        if folder in DRAFT_FOLDERS:
            return "DS" if rng.random() < 0.5 else "D"
        flags = set()
        if rng.random() < 0.70:
            flags.add("S")
            if rng.random() < 0.20:
                flags.add("R")
        if rng.random() < 0.06:
            flags.add("F")
        return "".join(sorted(flags))

    def message(self, index, outgoing=False):
        """(bytes with LF line endings, metadata dict) for message index."""
        return MessageBuilder(self, index, outgoing).build()


class MessageBuilder:
    def __init__(self, corpus, index, outgoing):
        self.corpus = corpus
        self.index = index
        self.outgoing = outgoing
        self.rng = random.Random("message:%s:%d" % (corpus.seed, index))
        self.folder = corpus.folder_of(index)
        self.flags = corpus.flags_of(index, self.folder)
        self.meta = {"index": index, "folder": self.folder, "flags": self.flags, "attachments": []}

    # -- pieces of text

    def sentences(self, language, target_bytes):
        pool = {"ja": JA_SENTENCES, "zh": ZH_SENTENCES, "en": EN_SENTENCES, "utf8": None}[language]
        rng = self.rng
        paragraphs = []
        size = 0
        tricky = self.index % 20 == 3 or rng.random() < 0.03
        while size < target_bytes:
            count = rng.randint(2, 6)
            if pool is None:
                chosen = [rng.choice(EN_SENTENCES + JA_SENTENCES + ZH_SENTENCES + ZH_TW_SENTENCES)
                          for _ in range(count)]
            else:
                chosen = rng.choices(pool, k=count)
            joiner = " " if language == "en" else ""
            paragraph = joiner.join(chosen)
            lines = wrap(paragraph, 72 if language == "en" else 36)
            paragraphs.append(lines)
            size += sum(len(line.encode("utf-8")) + 1 for line in lines) + 1
            if tricky and len(paragraphs) == 2:
                paragraphs.append(list(TRICKY_LINES))
        if tricky:
            paragraphs.append(["From here on it is the signature", "."])
            self.meta["tricky_lines"] = True
        return "\n\n".join("\n".join(lines) for lines in paragraphs) + "\n"

    def text_part(self, language, target_bytes, charset=None, with_headers=True):
        """Headers + body for a text/plain part; returns (header text, body bytes)."""
        rng = self.rng
        text = self.sentences(language, target_bytes)
        if charset is None:
            if language == "ja":
                charset = "ISO-2022-JP" if rng.random() < 0.6 else "UTF-8"
            elif language == "zh":
                charset = "GB18030" if rng.random() < 0.6 else "UTF-8"
            else:
                charset = "US-ASCII" if language == "en" else "UTF-8"
        if charset == "ISO-2022-JP":
            body = b"".join(line.encode("iso2022_jp") + b"\n" for line in text.split("\n")[:-1])
            cte = "7bit"
        elif charset == "GB18030":
            data = text.encode("gb18030")
            if rng.random() < 0.5:
                body, cte = data, "8bit"
            else:
                body, cte = base64_lines(data).encode("ascii"), "base64"
        elif charset == "UTF-8":
            data = text.encode("utf-8")
            if rng.random() < 0.3:
                body, cte = quoted_printable(data), "quoted-printable"
            else:
                body, cte = data, "8bit"
        else:
            body, cte = text.encode("ascii"), "7bit"
        self.meta.setdefault("body_charsets", []).append(charset)
        self.meta.setdefault("texts", []).append(text)
        headers = "Content-Type: text/plain; charset=%s\nContent-Transfer-Encoding: %s\n" % (
            charset if charset != "US-ASCII" else "us-ascii", cte)
        return headers, body

    def html_part(self, text):
        paragraphs = "".join("<p>%s</p>\n" % p.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")
                             for p in text.strip("\n").split("\n\n"))
        html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n%s</body></html>\n" % paragraphs
        return ("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
                quoted_printable(html.encode("utf-8")))

    def attachment_part(self, size):
        rng = self.rng
        name = rng.choice(ATTACHMENT_NAMES)
        charset = "GB18030" if any("\u4e00" <= c <= "\u9fff" for c in name) and rng.random() < 0.3 else "UTF-8"
        raw_size = max(16, size * 3 // 4)
        extension = name.rsplit(".", 1)[1]
        magic = {"pdf": b"%PDF-1.4\n", "jpg": b"\xff\xd8\xff\xe0"}.get(extension, b"PK\x03\x04")
        data = magic + rng.randbytes(raw_size)
        mime = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document", "xlsx": "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet", "jpg": "image/jpeg", "csv": "application/octet-stream"}[extension]
        headers = param_header("Content-Type", mime, rfc2231_param("name", name, charset))
        headers += param_header("Content-Disposition", "attachment", rfc2231_param("filename", name, charset))
        headers += "Content-Transfer-Encoding: base64\n"
        self.meta["attachments"].append({"filename": name, "size": len(data),
                                         "sha256": hashlib.sha256(data).hexdigest()})
        return headers, base64_lines(data).encode("ascii")

    # -- the whole message

    def pick_people(self, language):
        rng = self.rng
        if language == "ja":
            person, style = rng.choice(JA_PEOPLE), rng.choice(["iso2022jp", "iso2022jp", "utf8b"])
        elif language == "zh":
            person, style = rng.choice(ZH_PEOPLE), rng.choice(["gb18030", "gb18030", "utf8b"])
        elif language == "utf8":
            person, style = rng.choice(UTF8_PEOPLE), rng.choice(["utf8b", "utf8q"])
        else:
            person, style = rng.choice(ASCII_PEOPLE), "ascii"
        if style == "utf8q" and any(ord(c) > 0xFFFF for c in person[0]):
            style = "utf8b"
        return person, style

    def subject(self, language):
        rng = self.rng
        pool = {"ja": JA_SUBJECTS, "zh": ZH_SUBJECTS, "utf8": UTF8_SUBJECTS, "en": ASCII_SUBJECTS}[language]
        text = rng.choice(pool)
        if language == "ja":
            style = rng.choice(["iso2022jp", "iso2022jp", "utf8b", "utf8q"])
        elif language == "zh":
            style = rng.choice(["gb18030", "gb18030", "utf8b"])
        elif language == "utf8":
            style = rng.choice(["utf8b", "utf8q"])
        else:
            style = "ascii"
        prefix = rng.choice(["", "", "", "Re:", "Fwd:"])
        self.meta["subject"] = (prefix + " " + text) if prefix else text
        self.meta["subject_style"] = style
        return header_text("Subject", text, style, prefix)

    def target_size(self):
        rng = self.rng
        corpus = self.corpus
        if self.index in corpus.large:
            return "large", int(corpus.max_size * (0.6 + 0.35 * rng.random()))
        roll = rng.random()
        if roll < corpus.attachment_rate:
            return "attachment", min(corpus.max_size * 9 // 10, int(100_000 * 10 ** rng.random()))
        if roll < corpus.attachment_rate + 0.06:
            return "long", min(corpus.max_size * 9 // 10, int(20_000 * 5 ** rng.random()))
        return "normal", min(corpus.max_size * 9 // 10, int(2_000 * 10 ** rng.random()))

    def build(self):
        rng = self.rng
        corpus = self.corpus
        seed = corpus.seed
        language = rng.choices(["ja", "zh", "en", "utf8"], weights=[40, 35, 15, 10])[0]
        moment = datetime.datetime.fromtimestamp(message_time(seed, self.index), rng.choice(ZONES))
        self.meta["time"] = message_time(seed, self.index)
        other, other_style = self.pick_people(language)
        me = (corpus.self_person, "iso2022jp" if language == "ja" else "utf8b")
        if self.folder in SENT_FOLDERS or self.folder in DRAFT_FOLDERS or self.outgoing:
            sender, recipients = me, [(other, other_style)]
        else:
            sender, recipients = (other, other_style), [me]
        if rng.random() < 0.2:
            recipients.append(self.pick_people(rng.choice(["ja", "zh", "en", "utf8"])))
        self.meta["from_name"] = sender[0][0]
        self.meta["from_address"] = "%s@%s" % (sender[0][1], sender[0][2])
        self.meta["to_names"] = [p[0] for p, _ in recipients]
        self.meta["message_id"] = message_id(seed, self.index)

        head = ""
        if not self.outgoing and self.folder not in SENT_FOLDERS and self.folder not in DRAFT_FOLDERS:
            head += "Return-Path: <%s>\n" % self.meta["from_address"]
            head += "Delivered-To: %s@%s\n" % corpus.self_person[1:]
            head += ("Received: from mx%d.example.net (mx%d.example.net [192.0.2.%d])\n"
                     "\tby mail.example.test (Postfix) with ESMTPS id %s\n\tfor <%s@%s>; %s\n" % (
                         self.index % 7, self.index % 7, 10 + self.index % 200,
                         hashlib.md5(self.meta["message_id"].encode()).hexdigest()[:10].upper(),
                         corpus.self_person[1], corpus.self_person[2], rfc5322_date(moment)))
        head += "Date: %s\n" % rfc5322_date(moment)
        head += address_header("From", [sender])
        head += address_header("To", recipients)
        head += self.subject(language)
        head += "Message-ID: %s\n" % self.meta["message_id"]
        if self.index > 0 and self.meta["subject"].startswith("Re:"):
            parents = sorted({rng.randrange(self.index) for _ in range(rng.randint(1, 4))})
            ids = [message_id(seed, p) for p in parents]
            head += "In-Reply-To: %s\n" % ids[-1]
            head += fold("References", ids)
        head += "MIME-Version: 1.0\n"
        if rng.random() < 0.3:
            head += "X-Mailer: %s\n" % rng.choice(["Thunderbird 115.8.1", "Becky! ver. 2.81.04",
                                                  "Foxmail 7.2.25", "Microsoft Outlook 16.0"])

        kind, size = self.target_size()
        self.meta["kind"] = kind
        body_language = language if language != "utf8" else "utf8"
        boundary = "----=_Part_%d_%s" % (self.index, hashlib.sha1(("b:%s:%d" % (seed, self.index)).encode())
                                         .hexdigest()[:16])
        if kind in ("attachment", "large"):
            text_headers, text_body = self.text_part(body_language, rng.randint(300, 3000))
            attachment_headers, attachment_body = self.attachment_part(size)
            parts = [(text_headers, text_body), (attachment_headers, attachment_body)]
            self.meta["structure"] = "multipart/mixed"
            body = self.multipart("mixed", boundary, parts)
        elif rng.random() < 0.2:
            text_headers, text_body = self.text_part(body_language, size, charset="UTF-8")
            parts = [(text_headers, text_body), self.html_part(self.meta["texts"][-1])]
            self.meta["structure"] = "multipart/alternative"
            body = self.multipart("alternative", boundary, parts)
        else:
            text_headers, text_body = self.text_part(body_language, size)
            self.meta["structure"] = "text/plain"
            body = text_body
            head += text_headers
            data = head.encode("ascii") + b"\n" + body
            return data, self.meta
        head += "Content-Type: multipart/%s;\n boundary=\"%s\"\n" % (self.meta["structure"].split("/")[1],
                                                                     boundary)
        data = head.encode("ascii") + b"\n" + body
        return data, self.meta

    def multipart(self, subtype, boundary, parts):
        out = [b"This is a multi-part message in MIME format.\n"]
        for headers, body in parts:
            out.append(("\n--%s\n" % boundary).encode("ascii"))
            out.append(headers.encode("ascii") + b"\n" + body)
        out.append(("\n--%s--\n" % boundary).encode("ascii"))
        return b"".join(out)

# ---------------------------------------------------------------- writing


def crlf(data):
    return data.replace(b"\n", b"\r\n")


def virtual_size(data):
    """Size with every bare LF counted as CRLF (Dovecot's ,W= field)."""
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def maildir_folder_path(root, folder, utf8_names=False):
    if folder == "INBOX":
        return root
    parts = folder.split("/")
    names = parts if utf8_names else [mutf7(p) for p in parts]
    for name in names:
        if "." in name or name.startswith("~"):
            raise ValueError("folder name %r cannot be stored in Maildir++" % folder)
    return os.path.join(root, "." + ".".join(names))


def make_maildir(path):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)


def maildir_file_name(corpus, index, data, flags, in_new):
    base = "%d.M%06dP%dQ%d.bench" % (message_time(corpus.seed, index), index % 1000000,
                                     abs(hash_seed(corpus.seed)) % 100000, index)
    name = "%s,S=%d,W=%d" % (base, len(data), virtual_size(data))
    return name if in_new else name + ":2," + flags


def hash_seed(seed):
    return int(hashlib.sha1(str(seed).encode()).hexdigest()[:8], 16)


def write_file(path, data, mtime):
    if os.path.exists(path):
        raise FileExistsError("refusing to overwrite %s" % path)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


def write_maildir(corpus, root, use_crlf=True, utf8_names=False, manifest=None):
    """Writes the corpus into the Maildir++ tree at root; returns {folder: count}."""
    counts = {folder: 0 for folder in corpus.folders}
    for folder in corpus.folders:
        path = maildir_folder_path(root, folder, utf8_names)
        make_maildir(path)
        if folder != "INBOX":
            open(os.path.join(path, "maildirfolder"), "a").close()
    for index in range(corpus.count):
        data, meta = corpus.message(index)
        if use_crlf:
            data = crlf(data)
        folder = meta["folder"]
        # The newest unseen INBOX mail waits in new/ as if just delivered.
        in_new = folder == "INBOX" and "S" not in meta["flags"] and index >= corpus.count * 0.98
        sub = "new" if in_new else "cur"
        folder_path = maildir_folder_path(root, folder, utf8_names)
        name = maildir_file_name(corpus, index, data, meta["flags"], in_new)
        write_file(os.path.join(folder_path, sub, name), data, meta["time"])
        counts[folder] += 1
        if manifest is not None:
            manifest.append(manifest_entry(meta, os.path.relpath(os.path.join(folder_path, sub, name), root),
                                           len(data)))
    return counts


def write_eml_dir(corpus, directory, manifest=None):
    os.makedirs(directory, exist_ok=True)
    for index in range(corpus.count):
        data, meta = corpus.message(index, outgoing=True)
        name = "%06d.eml" % index
        write_file(os.path.join(directory, name), data, meta["time"])
        if manifest is not None:
            manifest.append(manifest_entry(meta, name, len(data)))
    return {"(eml)": corpus.count}


def manifest_entry(meta, path, size):
    entry = dict(meta, path=path, size=size)
    entry["text_sha256"] = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in entry.pop("texts", [])]
    return entry


def write_manifest(path, corpus, counts, entries):
    document = {"seed": corpus.seed, "messages": corpus.count, "folders": corpus.folders,
                "counts": counts, "entries": entries}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")

# ---------------------------------------------------------------- loading into the fixture


class LoadError(Exception):
    pass


def run(command, stdin=None):
    r = subprocess.run(command, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if r.returncode != 0:
        raise LoadError("%s failed (%d): %s" % (" ".join(command), r.returncode,
                                                r.stderr.decode(errors="replace").strip()))
    return r.stdout.decode("utf-8", errors="replace")


def user_maildir(doveadm, config, user):
    """The user's Maildir root and uid/gid, from Dovecot's own view of its configuration."""
    fields = {}
    for field in ("home", "uid", "gid"):
        fields[field] = run(doveadm + ["user", "-f", field, user]).strip()
    location = run(["doveconf", "-c", config, "-h", "mail_location"]).strip()
    kind, _, rest = location.partition(":")
    if kind != "maildir":
        raise LoadError("mail_location %r is not a Maildir" % location)
    path, *options = rest.split(":")
    if any(o.startswith("LAYOUT=") and o != "LAYOUT=maildir++" for o in options):
        raise LoadError("mail_location %r: only the Maildir++ layout is supported" % location)
    path = path.replace("%u", user).replace("%n", user).replace("%h", fields["home"])
    if path.startswith("~/"):
        path = os.path.join(fields["home"], path[2:])
    return path, int(fields["uid"]), int(fields["gid"]), "UTF-8" in options


def mailbox_counts(doveadm, user):
    counts = {}
    for line in run(doveadm + ["-f", "tab", "mailbox", "status", "-u", user, "messages", "*"]).splitlines()[1:]:
        name, _, number = line.rpartition("\t")
        counts[name] = int(number)
    return counts


def chown_tree(root, uid, gid):
    os.chown(root, uid, gid)
    for directory, subdirs, files in os.walk(root):
        for name in subdirs + files:
            os.lchown(os.path.join(directory, name), uid, gid)


def load(corpus, fixture, user, use_crlf, manifest):
    with open(os.path.join(fixture, "env.json")) as f:
        env = json.load(f)
    doveadm = env["doveadm"]
    root, uid, gid, utf8_names = user_maildir(doveadm, env["dovecot_config"], user)
    # Nobody may hold the mailboxes open while files appear behind Dovecot's back.
    subprocess.run(doveadm + ["kick", user], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    before = mailbox_counts(doveadm, user) if os.path.isdir(root) else {}
    os.makedirs(root, exist_ok=True)
    counts = write_maildir(corpus, root, use_crlf, utf8_names, manifest)
    if os.geteuid() == 0:
        chown_tree(os.path.dirname(root) if os.path.basename(root) == "Maildir" else root, uid, gid)
    run(doveadm + ["force-resync", "-u", user, "*"])
    for folder in corpus.folders:
        run(doveadm + ["mailbox", "subscribe", "-u", user, folder])
    after = mailbox_counts(doveadm, user)
    wrong = []
    for folder, added in counts.items():
        expected = before.get(folder, 0) + added
        if after.get(folder) != expected:
            wrong.append("%s: expected %d, server has %s" % (folder, expected, after.get(folder)))
    if wrong:
        raise LoadError("message counts do not match after force-resync: " + "; ".join(wrong))
    return counts

# ---------------------------------------------------------------- command line


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Deterministic mail corpus for zmail benchmarks.")
    out = parser.add_mutually_exclusive_group(required=True)
    out.add_argument("--maildir", metavar="DIR", help="write a Maildir++ tree rooted at DIR (INBOX)")
    out.add_argument("--eml-dir", metavar="DIR", help="write NNNNNN.eml files into DIR")
    out.add_argument("--load", metavar="FIXTURE", help="load into the running fixture in FIXTURE (needs --user)")
    parser.add_argument("--user", help="the fixture user for --load")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--folders", type=int, default=12, help="number of folders, INBOX included")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--max-size", type=int, default=8 * 1024 * 1024, help="largest message, bytes")
    parser.add_argument("--large", type=int, default=2, help="messages close to --max-size")
    parser.add_argument("--attachment-rate", type=float, default=0.03,
                        help="share of messages with a 100 KB-1 MB attachment")
    parser.add_argument("--address", default="user@example.test", help="the mailbox owner's address")
    parser.add_argument("--manifest", metavar="FILE", help="write a JSON description of every message")
    parser.add_argument("--lf", action="store_true", help="Maildir files with LF line endings (default CRLF)")
    args = parser.parse_args(argv)
    if args.load and not args.user:
        parser.error("--load needs --user")
    if args.max_size < 4096:
        parser.error("--max-size must be at least 4096")
    return args


def main(argv):
    args = parse_args(argv)
    corpus = Corpus(args.messages, args.folders, args.seed, args.max_size, args.large, args.attachment_rate,
                    args.address)
    manifest = [] if args.manifest else None
    try:
        if args.maildir:
            os.makedirs(args.maildir, exist_ok=True)
            counts = write_maildir(corpus, args.maildir, not args.lf, False, manifest)
        elif args.eml_dir:
            counts = write_eml_dir(corpus, args.eml_dir, manifest)
        else:
            counts = load(corpus, args.load, args.user, not args.lf, manifest)
    except (LoadError, OSError, ValueError, subprocess.TimeoutExpired) as e:
        sys.stderr.write("corpus: %s\n" % e)
        return 1
    if args.manifest:
        write_manifest(args.manifest, corpus, counts, manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
