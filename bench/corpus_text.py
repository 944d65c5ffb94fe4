"""What bench/corpus.py builds messages from: sentences, names, subjects and folder names in
Japanese, Chinese and English, and the encoders that put them into headers (RFC 2047
encoded-words, folding, RFC 2231 parameters, IMAP modified UTF-7). Standard library only."""

import base64
import datetime
import quopri

# ---------------------------------------------------------------- language material

JA_SENTENCES = [
    "お世話になっております。", "来週の会議の資料を送付いたします。", "ご確認のほどよろしくお願いいたします。",
    "本件について、担当者から改めてご連絡いたします。", "添付ファイルをご参照ください。",
    "明日の打ち合わせは午後三時からです。", "見積書を修正しましたので、再度お送りします。",
    "東京オフィスの移転に伴い、住所が変わります。", "今週末にサーバーのメンテナンスを実施します。",
    "議事録を共有します。不明な点があればお知らせください。", "納期について調整させていただけますでしょうか。",
    "先日はお忙しいところありがとうございました。", "新しいプロジェクトの体制についてご相談があります。",
    "請求書の発行日を今月末に変更します。", "大阪出張の日程が決まりました。",
    "文字化けしていないか確認をお願いします。", "「仕様書」の第三章を更新しました。",
    "引き続きよろしくお願い申し上げます。", "台風の影響で、本日は在宅勤務とします。",
    "承知いたしました。早速対応いたします。",
]
ZH_SENTENCES = [
    "您好，", "附件是本月的销售报告，请查收。", "关于北京项目的进度，我们下周开会讨论。",
    "请尽快确认合同条款。", "服务器将于今晚十点进行维护。", "谢谢您的支持！",
    "会议纪要已经整理好了，请大家补充。", "上海客户的订单已经发货。", "请注意新的报销流程。",
    "深圳研发中心下个月开始招聘。", "这个问题我们正在排查，稍后回复您。", "春节放假安排如下。",
    "报价单里的价格是含税的。", "请把发票寄到公司地址。", "我们已经收到您的付款，非常感谢。",
    "测试一下生僻字：䶮、𠮷、㐀。", "培训资料放在共享目录里了。", "周五之前请提交周报。",
]
EN_SENTENCES = [
    "Thanks for the update on the release schedule.", "Please find the minutes of yesterday's call below.",
    "The build on the staging server failed again last night.", "Could you review the attached proposal by Friday?",
    "We moved the meeting to the large room on the third floor.", "Let me know if the numbers look right to you.",
    "The quarterly report is due at the end of the month.", "I have added a few comments inline.",
    "Our office will be closed for the public holiday on Monday.", "The invoice has been paid in full.",
    "Here is the summary of the customer feedback we collected.", "Backups completed without errors.",
    "This is a reminder that the contract renewal is coming up.", "See you at the conference next week.",
]
ZH_TW_SENTENCES = ["臺灣分公司的報告已經寄出。", "請確認會議時間。", "謝謝您的協助。"]

# Lines that catch POP3/SMTP dot-stuffing and mbox "From " quoting bugs.
TRICKY_LINES = [".", "..", ".hidden line starting with a dot", "From the desk of the director:",
                ">From an already quoted line", "From: this is not a header", ". ", "...."]

# (display name, local part, domain, language)
JA_PEOPLE = [("田中 太郎", "taro.tanaka", "example.jp"), ("佐藤 花子", "hanako.sato", "example.jp"),
             ("鈴木 一郎", "ichiro", "example.co.jp"), ("高橋 美咲", "misaki.t", "example.jp"),
             ("渡辺 健", "ken.watanabe", "example.ne.jp"), ("山本 さくら", "sakura", "example.jp"),
             ("株式会社サンプル 営業部", "sales", "sample.example.jp")]
ZH_PEOPLE = [("王伟", "wang.wei", "example.cn"), ("李娜", "li.na", "example.cn"),
             ("张敏", "zhangmin", "example.com.cn"), ("刘洋", "liu.yang", "example.cn"),
             ("陈静", "chen.jing", "example.cn"), ("杨帆", "yangfan", "example.com.cn"),
             ("北京示例科技有限公司 客户服务中心", "service", "example.cn")]
UTF8_PEOPLE = [("𠮷田 優子", "yuko.yoshida", "example.jp"), ("José Müller", "jose", "example.com"),
               ("龚䶮", "gong.yan", "example.cn"), ("李 明 (臺灣)", "ming.li", "example.tw")]
ASCII_PEOPLE = [("Alice Smith", "alice.smith", "example.com"), ("O'Brien, Pat", "pat", "example.org"),
                ("Build Bot", "ci", "example.net"), ("Mailing List", "list", "lists.example.org")]

JA_SUBJECTS = ["会議資料の送付", "【重要】サーバーメンテナンスのお知らせ", "見積書（再送）", "議事録：定例ミーティング",
               "出張の件", "請求書の発行について", "新プロジェクト体制のご相談",
               "来期の予算案について、各部署からのご意見を取りまとめた資料をお送りしますのでご確認ください"]
ZH_SUBJECTS = ["本月销售报告", "北京项目进度", "合同条款确认", "服务器维护通知", "春节放假安排",
               "关于上海客户订单延迟发货的情况说明以及后续处理方案，请各部门负责人务必在本周五之前回复"]
UTF8_SUBJECTS = ["𠮷野家でランチ", "Résumé / 履歴書 / 简历", "臺灣分公司報告", "Ünïcödé ✓ テスト 测试",
                 "週報 2024-W12 — 開発チーム、インフラチーム、サポートチームの進捗まとめ（長い件名の折り返し確認用）"]
ASCII_SUBJECTS = ["Weekly status", "Release 2.4 checklist", "Invoice #10492", "Build failed on main",
                  "Lunch on Friday?", "A rather long subject line that goes on and on so that it has to be "
                  "folded across more than one header line by the generator"]

ATTACHMENT_NAMES = ["見積書.pdf", "議事録_2024年3月.docx", "销售报告.xlsx", "合同（草案）.pdf", "photo.jpg",
                    "report-final.pdf", "プロジェクト計画書_第二版_最終確認用_営業部提出.pdf", "北京客户名单.csv"]

# Folder names as an IMAP client sees them (separator "/"); the first K are used.
FOLDERS = ["INBOX", "送信済み", "仕事", "仕事/プロジェクト", "已发送", "客户", "客户/北京", "Archive",
           "Archive/2023", "下書き", "通知/GitHub", "客户/上海", "Lists/dovecot", "家族 & 友人", "Trash",
           "旅行 2024", "財務/請求書", "项目/深圳 研发"]
SENT_FOLDERS = {"送信済み", "已发送", "Sent"}
DRAFT_FOLDERS = {"下書き", "Drafts"}

SELF = ("山田 花子", "user", "example.test")
EPOCH = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc)
ZONES = [datetime.timezone(datetime.timedelta(hours=9)), datetime.timezone(datetime.timedelta(hours=8)),
         datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=-7))]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# ---------------------------------------------------------------- encoders

PYTHON_CODEC = {"ISO-2022-JP": "iso2022_jp", "GB18030": "gb18030", "UTF-8": "utf-8", "US-ASCII": "ascii"}
Q_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def encode_word(text, charset, encoding):
    data = text.encode(PYTHON_CODEC[charset])
    if encoding == "B":
        payload = base64.b64encode(data).decode("ascii")
    else:
        payload = "".join("_" if b == 0x20 else chr(b) if b in Q_SAFE else "=%02X" % b for b in data)
    return "=?%s?%s?%s?=" % (charset, encoding, payload)


def encoded_words(text, charset, encoding, first_room, room=75):
    """RFC 2047 encoded-words for text, each at most room characters (the first at most first_room).

    Chunks split between characters, so every ISO-2022-JP word returns to ASCII at its end."""
    words = []
    start = 0
    limit = first_room
    while start < len(text):
        best = None
        end = start + 1
        while end <= len(text):
            word = encode_word(text[start:end], charset, encoding)
            if len(word) > limit:
                break
            best = (end, word)
            end += 1
        if best is None:
            if limit != room:  # not even one character fits on the first line: start on the next
                limit = room
                words.append(None)
                continue
            raise ValueError("character does not fit an encoded-word")
        words.append(best[1])
        start = best[0]
        limit = room
    return words


def fold(name, tokens):
    """Header 'name: tokens...' folded at 78 columns; None in tokens forces a line break."""
    lines = []
    line = name + ":"
    for token in tokens:
        if token is None:
            lines.append(line)
            line = ""
            continue
        if line and len(line) + 1 + len(token) > 78 and line != name + ":":
            lines.append(line)
            line = ""
        line += " " + token
    lines.append(line)
    return "\n".join(lines) + "\n"


def header_text(name, text, style, prefix=""):
    """An unstructured header (Subject) in one of the styles: ascii, iso2022jp, gb18030, utf8b, utf8q."""
    tokens = prefix.split() if prefix else []
    if style == "ascii":
        return fold(name, tokens + text.split(" "))
    charset, encoding = STYLE_CHARSET[style]
    used = len(name) + 2 + sum(len(t) + 1 for t in tokens)
    return fold(name, tokens + encoded_words(text, charset, encoding, 76 - used))


STYLE_CHARSET = {"iso2022jp": ("ISO-2022-JP", "B"), "gb18030": ("GB18030", "B"),
                 "utf8b": ("UTF-8", "B"), "utf8q": ("UTF-8", "Q")}


def mailbox_tokens(person, style):
    display, local, domain = person[0], person[1], person[2]
    address = "<%s@%s>" % (local, domain)
    if style == "ascii":
        if any(c in display for c in ",.'\"()<>@;:"):
            return ['"%s"' % display.replace("\\", "\\\\").replace('"', '\\"'), address]
        return display.split(" ") + [address]
    charset, encoding = STYLE_CHARSET[style]
    # Like common mailers: one encoded-word when the name fits, split only long names.
    return encoded_words(display, charset, encoding, 75) + [address]


def address_header(name, people_styles):
    tokens = []
    for n, (person, style) in enumerate(people_styles):
        part = mailbox_tokens(person, style)
        if n + 1 < len(people_styles):
            part[-1] += ","
        tokens += part
    return fold(name, tokens)


def mutf7(name):
    """IMAP modified UTF-7 (RFC 3501 5.1.3), the form Dovecot uses for Maildir++ folder names on disk."""
    out = []
    pending = []

    def flush():
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def rfc2231_param(name, value, charset="UTF-8"):
    """'name*=UTF-8''...' or, when long, numbered continuations name*0*=...; name*1*=... (RFC 2231)."""
    codec = PYTHON_CODEC[charset]
    # One piece per character, so continuations split between characters as mailers do.
    pieces = [c if c.isascii() and (c.isalnum() or c in "-._") else
              "".join("%%%02X" % b for b in c.encode(codec)) for c in value]
    whole = "%s*=%s''%s" % (name, charset, "".join(pieces))
    if len(whole) <= 70:
        return [whole]
    parts = []
    current = "%s''" % charset
    for piece in pieces:  # never split inside a %XX escape
        if len(current) + len(piece) > 48:
            parts.append(current)
            current = ""
        current += piece
    parts.append(current)
    return ["%s*%d*=%s" % (name, n, part) for n, part in enumerate(parts)]


def param_header(name, value, params):
    lines = name + ": " + value
    for p in params:
        lines += ";\n " + p
    return lines + "\n"


def wrap(text, width):
    """Break text (no newlines) into lines of at most width characters, at spaces for Latin text."""
    lines = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        if cut <= 0 or not text.isascii():
            cut = width
        lines.append(text[:cut].rstrip(" "))
        text = text[cut:].lstrip(" ")
    lines.append(text)
    return lines


def base64_lines(data):
    return base64.encodebytes(data).decode("ascii")  # 76-column lines, each ending in \n


def quoted_printable(data):
    encoded = quopri.encodestring(data, quotetabs=False)
    return encoded if encoded.endswith(b"\n") else encoded + b"=\n"
