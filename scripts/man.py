#!/usr/bin/env python3
"""man.py - the reference manual, made from the public headers' comments.

The comments of include/skt.h and include/skt_app.h are the single source:
this script reads them and writes one markdown document per public
function and one per module, which pandoc turns into man pages (committed
under man/, so that installing needs no doc tool) or into HTML.

  man.py generate [DIR]  write DIR/man3/*.3 and DIR/man7/*.7 (DIR: man/),
                         and remove the pages of functions that are gone
  man.py markdown DIR    write only the markdown, DIR/man3/*.3.md, ...
  man.py html DIR        the HTML version, DIR/*.html (make docs)
  man.py check [DIR]     exit 1 when DIR differs from a fresh generation
                         (exit 77, a skip, without pandoc)
  man.py coverage [DIR]  exit 1 when a public function has no page in DIR,
                         a page has no function, or skt(7) misses one
  man.py lint [DIR]      exit 1 when man(1) warns about a page of DIR
                         (exit 77 without man)
  man.py sections        exit 1 when a function's page would lack RETURN
                         VALUE, ERRORS or TIMEOUT (no pandoc needed)

What it reads in the headers: banner sections (/* ==== */ /* Title */
/* ==== */) map to modules, and sub-banners (/* ---- */) to subsections;
a comment directly above SKT_EXTERN prototypes documents all of them
(it usually opens "skt_name - summary" or "skt_a, skt_b - summary"); a
comment directly above typedefs or #defines documents those; any other
comment introduces its module. In a function's comment, sentences that
open "Returns" (or "Both return", "skt_x returns", "The getter returns",
"Never NULL"), "Errors", "Honours", "No timeout", "No I/O", "Blocks",
"Never blocks", "Never waits", "Does not wait", "Waits" and "Differs from
Python:" make the RETURN VALUE, ERRORS, TIMEOUT and DIFFERS FROM PYTHON
parts of its page ("Same returns and errors" makes both of the first
two); the rest is its DESCRIPTION. A function returning void says so
under RETURN VALUE and ERRORS, from its prototype. Nothing is written
that the header does not say. Every function's page must have RETURN
VALUE, ERRORS and TIMEOUT (man.py sections).
"""
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = ["include/skt.h", "include/skt_app.h"]
# What each header's pages say under LIBRARY, and the pkg-config name.
LIBRARIES = {
    "skt.h": ("libskt", "-lskt", "skt"),
    "skt_app.h": ("libskt_app", "-lskt_app", "skt_app"),
}
# Banner titles of skt.h (their first word, lower case) and the module
# each belongs to; "skt" is the overview page, skt(7). Every section of
# skt_app.h is the module "app". An unknown title makes a module of its
# own first word, with a warning.
SECTION_MODULES = {
    "errors": "skt",
    "addresses": "addresses",
    "sockets": "sockets",
    "messages": "messages",
    "tls": "tls",
    "resolver": "resolver",
    "connections": "connections",
    "streams": "streams",
    "framing": "framing",
    "selectors": "selectors",
    "servers": "servers",
}
# Macros of the preamble that are machinery, not API.
MACHINERY = {"SKT_EXTERN", "SKT_PRINTF_FORMAT"}
MANUAL = "skt manual"
GENERATED = (".\\\" Generated from the public headers by scripts/man.py and"
             " pandoc;\n.\\\" edit the header comments, then run `make man`.")
JOBS = 2


def warn(message):
    print(f"man.py: {message}", file=sys.stderr)


# ------------------------------------------------------------------------
# Reading a header: elements, then sections, groups and comments
# ------------------------------------------------------------------------

class Element:
    """One comment, preprocessor line or declaration of a header."""

    def __init__(self, kind, text, line, blank_before):
        self.kind = kind          # comment, banner, subbanner, define,
        self.text = text          # directive, func, type
        self.line = line
        self.blank_before = blank_before
        self.name = None


def scan_code(lines, i):
    """The last line of the declaration starting at line i, and whether it
    is one to skip (extern "C" { and its closing brace)."""
    depth, in_comment, quote = 0, False, None
    for j in range(i, len(lines)):
        line, k = lines[j], 0
        while k < len(line):
            two = line[k:k + 2]
            if in_comment:
                in_comment = two != "*/"
                k += 2 if not in_comment else 1
                continue
            if quote:
                if line[k] == "\\":
                    k += 1
                elif line[k] == quote:
                    quote = None
                k += 1
                continue
            if two == "/*":
                in_comment, k = True, k + 2
                continue
            if two == "//":
                break
            c = line[k]
            if c in "\"'":
                quote = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == ";" and depth == 0:
                return j, False
            k += 1
        if depth < 0:
            return j, True
        if depth > 0 and re.match(r'\s*extern\s+"C"\s*\{\s*$',
                                  " ".join(lines[i:j + 1])):
            return j, True
    return len(lines) - 1, False


def comment_end(lines, i):
    start = lines[i].index("/*") + 2
    for j in range(i, len(lines)):
        if "*/" in lines[j][start if j == i else 0:]:
            return j
    return len(lines) - 1


def preprocessor_end(lines, i):
    j = i
    while j < len(lines) - 1:
        line = lines[j]
        opened = line.rfind("/*") > line.rfind("*/")
        if not (line.rstrip().endswith("\\") or opened):
            break
        j += 1
    return j


def read_elements(text):
    lines = text.split("\n")
    elements, i, blank = [], 0, True
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            blank, i = True, i + 1
            continue
        if stripped.startswith("/*"):
            end, kind, skip = comment_end(lines, i), "comment", False
        elif stripped.startswith("#"):
            end, kind, skip = preprocessor_end(lines, i), "pp", False
        else:
            end, skip = scan_code(lines, i)
            kind = "code"
        if not skip:
            el = Element(kind, "\n".join(lines[i:end + 1]), i + 1, blank)
            classify(el)
            elements.append(el)
        blank, i = False, end + 1
    return elements


def classify(el):
    if el.kind == "comment":
        inner = el.text.strip()[2:-2].strip()
        if inner and set(inner) == {"="}:
            el.kind = "banner"
        elif inner and set(inner) == {"-"}:
            el.kind = "subbanner"
    elif el.kind == "pp":
        m = re.match(r"\s*#\s*define\s+(\w+)", el.text)
        el.kind = "define" if m else "directive"
        el.name = m.group(1) if m else None
        guard = re.match(r"\s*#\s*ifndef\s+(\w+)", el.text)
        if guard:
            el.name = guard.group(1)
    elif el.text.lstrip().startswith("SKT_EXTERN"):
        el.kind = "func"
        m = re.search(r"(\w+)\s*\(", el.text.replace("SKT_EXTERN", "", 1))
        el.name = m.group(1) if m else None
    else:
        el.kind = "type"
        m = (re.match(r"\s*typedef\s+(?:struct|union|enum)\s+(\w+)", el.text)
             or re.search(r"\(\s*\*\s*(\w+)\s*\)", el.text)
             or re.search(r"(\w+)\s*;\s*$", el.text))
        el.name = m.group(1) if m else None


def comment_lines(raw):
    """The text of a comment, one string per line, without the /* * */."""
    body = raw.strip()[2:-2]
    if body.startswith("*") and not body.startswith("*/"):
        body = body[1:]
    out = []
    for n, line in enumerate(body.split("\n")):
        if n == 0:
            line = line[1:] if line.startswith(" ") else line
        elif re.match(r"\s*\*", line):
            line = re.sub(r"^\s*\* ?", "", line)
        else:
            line = line.strip()
        out.append(line.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


class Comment:
    """A comment as blocks: ("p", text), ("pre", text), ("ul", [text])."""

    NAME_LINE = re.compile(r"skt_\w+(?:, skt_\w+)* - ")

    def __init__(self, raw):
        self.raw = raw
        self.blocks = []
        paragraph = []
        for line in comment_lines(raw) + [""]:
            if line.strip():
                paragraph.append(line)
            elif paragraph:
                self.blocks.extend(self.split(paragraph))
                paragraph = []

    def split(self, lines):
        blocks = []
        for line in lines:
            last = blocks[-1] if blocks else None
            if line.startswith("- "):
                if last and last[0] == "ul":
                    last[1].append(line[2:].strip())
                else:
                    blocks.append(("ul", [line[2:].strip()]))
            elif line.startswith("  ") and last and last[0] == "ul":
                last[1][-1] += " " + line.strip()
            elif line.startswith("  "):
                if last and last[0] == "pre":
                    last[1].append(line)
                else:
                    blocks.append(("pre", [line]))
            elif (last and last[0] == "p"
                  and not self.NAME_LINE.match(line)):
                last[1].append(line.strip())
            else:
                blocks.append(("p", [line.strip()]))
        out = []
        for kind, body in blocks:
            if kind == "p":
                out.append(("p", " ".join(body)))
            elif kind == "pre":
                out.append(("pre", dedent(body)))
            else:
                out.append(("ul", body))
        return out

    def prose(self):
        return [text for kind, text in self.blocks if kind == "p"]


def dedent(lines):
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    return "\n".join(line[indent:] for line in lines)


class Group:
    """Consecutive declarations (cat "func" or "decl") and the comment
    directly above them (or None)."""

    def __init__(self, cat, comment, elements):
        self.cat = cat
        self.comment = Comment(comment.text) if comment else None
        self.elements = elements


class Section:
    def __init__(self, title, module, header):
        self.title = title
        self.module = module
        self.header = header
        self.items = []        # ("comment", Comment), ("sub", title),
                               # ("group", Group)


def title_of(comment_el):
    return " ".join(comment_lines(comment_el.text)).strip()


def read_header(path, header_name):
    """The sections of a header, the first holding what comes before any
    banner (the preamble), and the header's top comment."""
    elements = read_elements(open(path, encoding="utf-8").read())
    guards = {el.name for el in elements if el.kind == "directive"
              and el.name}
    default = "skt" if header_name == "skt.h" else "app"
    sections = [Section("", default, header_name)]
    top = None
    pending, last_group = None, None
    i = 0

    def flush():
        nonlocal pending
        if pending is not None:
            sections[-1].items.append(("comment", Comment(pending.text)))
            pending = None

    while i < len(elements):
        el = elements[i]
        if el.kind in ("banner", "subbanner"):
            flush()
            title = ""
            if i + 1 < len(elements) and elements[i + 1].kind == "comment":
                title = title_of(elements[i + 1])
                i += 1
                if i + 1 < len(elements) and elements[i + 1].kind == el.kind:
                    i += 1
            if el.kind == "banner":
                sections.append(Section(title, module_of(title, header_name),
                                        header_name))
            else:
                sections[-1].items.append(("sub", title))
            last_group = None
        elif el.kind == "comment":
            flush()
            if top is None and not sections[-1].items and i == 0:
                top = Comment(el.text)
            else:
                pending = el
            last_group = None
        elif el.kind == "directive" or (el.kind == "define" and (
                el.name in MACHINERY or el.name in guards)):
            flush()
            last_group = None
        else:
            cat = "func" if el.kind == "func" else "decl"
            if pending is not None and not el.blank_before:
                group = Group(cat, pending, [el])
                pending = None
            elif (last_group is not None and last_group.cat == cat
                  and not el.blank_before):
                last_group.elements.append(el)
                group = None
            else:
                flush()
                group = Group(cat, None, [el])
            if group is not None:
                sections[-1].items.append(("group", group))
                last_group = group
        i += 1
    flush()
    return sections, top


def module_of(title, header_name):
    if header_name != "skt.h":
        return "app"
    word = (title.split() or ["misc"])[0].lower()
    word = re.sub(r"[^a-z0-9]", "", word) or "misc"
    if word not in SECTION_MODULES:
        warn(f"section '{title}' of {header_name} is not a known module; "
             f"its pages go to skt_{word}(7)")
    return SECTION_MODULES.get(word, word)


# ------------------------------------------------------------------------
# The model: functions, modules, error codes
# ------------------------------------------------------------------------

class Function:
    def __init__(self, el, group, section):
        self.name = el.name
        self.element = el
        self.group = group
        self.section = section
        self.header = section.header
        self.module = section.module
        self.params = parameters(el.text)
        self.summary = ""
        self.name_line = ""

    def synopsis(self):
        text = re.sub(r"\s*SKT_PRINTF_FORMAT\([^)]*\)", "", self.element.text)
        lines = text.split("\n")
        first = re.sub(r"^\s*SKT_EXTERN\s+", "", lines[0])
        shift = len(lines[0]) - len(first)
        rest = [line[shift:] if line[:shift].strip() == "" and
                len(line) - len(line.lstrip()) > shift else line
                for line in lines[1:]]
        return "\n".join([first] + rest)


def parameters(proto):
    m = re.search(r"\((.*)\)", proto, re.S)
    names = set()
    for part in (m.group(1).split(",") if m else []):
        words = re.findall(r"\w+", re.sub(r"\[[^]]*\]", "", part))
        if words:
            names.add(words[-1])
    return names


class Model:
    def __init__(self, root=ROOT):
        self.root = root
        self.sections, self.tops = [], {}
        for rel in HEADERS:
            name = os.path.basename(rel)
            sections, top = read_header(os.path.join(root, rel), name)
            self.sections.extend(sections)
            self.tops[name] = top
        self.functions = {}
        self.order = []
        for section in self.sections:
            for kind, item in section.items:
                if kind != "group" or item.cat != "func":
                    continue
                item.functions = []
                for el in item.elements:
                    if not el.name:
                        warn(f"{section.header}:{el.line}: a prototype "
                             f"without a name")
                        continue
                    if el.name in self.functions:
                        warn(f"{section.header}:{el.line}: {el.name} is "
                             f"declared twice; the first is documented")
                        continue
                    fn = Function(el, item, section)
                    item.functions.append(fn)
                    self.functions[el.name] = fn
                    self.order.append(fn)
                if item.comment is None:
                    for fn in item.functions:
                        warn(f"{section.header}:{fn.element.line}: "
                             f"{fn.name} has no comment above it")
        self.modules = []
        for section in self.sections:
            if section.module not in self.modules:
                self.modules.append(section.module)
        self.defines = self.collect_defines()
        self.errors = self.collect_errors()
        self.version = self.string_define("SKT_VERSION_STRING") or "unknown"
        self.date = changelog_date(root, self.version)
        for fn in self.order:
            summarize(fn)

    def collect_defines(self):
        values = {}
        for section in self.sections:
            for kind, item in section.items:
                if kind != "group":
                    continue
                for el in item.elements:
                    if el.kind == "define":
                        values[el.name] = define_value(el.text)
        return values

    def string_define(self, name):
        value = self.defines.get(name, "")
        m = re.match(r'"(.*)"$', value)
        return m.group(1) if m else None

    def collect_errors(self):
        """(name, value text, number or None, comment text) of every error
        code: the SKT_E* macros of the Errors section and any SKT_E* macro
        defined from a *_BASE elsewhere."""
        out, numbers = [], {}
        for section in self.sections:
            for kind, item in section.items:
                if kind != "group" or item.cat != "decl":
                    continue
                for el in item.elements:
                    if el.kind != "define":
                        continue
                    value = define_value(el.text)
                    numbers[el.name] = evaluate(value, numbers)
                    in_errors = section.module == "skt" and section.title
                    if not el.name.startswith("SKT_E") or not (
                            in_errors or "_BASE" in value):
                        continue
                    trailing = re.search(r"/\*(.*?)\*/", el.text, re.S)
                    if trailing:
                        text = " ".join(comment_lines(trailing.group(0)))
                    elif item.comment is not None:
                        text = " ".join(item.comment.prose())
                    else:
                        text = ""
                    out.append((el.name, value, numbers[el.name],
                                text.strip()))
        return out

    def module_summary(self, module):
        """The one line that says what a module holds: the skt.h top
        comment's list of sections, or the top comment of skt_app.h."""
        titles = [s.title for s in self.sections if s.module == module
                  and s.title]
        if module == "app" and self.tops.get("skt_app.h"):
            return lead_summary(self.tops["skt_app.h"].prose()[0])[1]
        top = self.tops.get("skt.h")
        for kind, body in (top.blocks if top else []):
            if kind != "ul":
                continue
            for entry in body:
                title, _, rest = entry.partition(": ")
                if rest and title in titles:
                    return first_sentence(rest).rstrip(".")
        return titles[0] if titles else module

    def page(self, module):
        return "skt" if module == "skt" else f"skt_{module}"


def define_value(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S).replace("\\\n", " ")
    m = re.match(r"\s*#\s*define\s+\w+(\([^)]*\))?\s*(.*)", text, re.S)
    return " ".join(m.group(2).split()) if m else ""


def evaluate(value, known):
    expr = re.sub(r"\b[A-Z_][A-Z0-9_]*\b",
                  lambda m: str(known.get(m.group(0))), value)
    expr = re.sub(r"\(\s*size_t\s*\)", "", expr)
    if not re.fullmatch(r"[0-9xXa-fA-F\s()+\-*<>|&]+", expr):
        return None
    try:
        return int(eval(expr, {"__builtins__": {}}))  # digits only
    except Exception:
        return None


def changelog_date(root, version):
    """The release date of version in CHANGELOG.md ("## [0.2.0] -
    2026-01-31"), or "Unreleased": a date that only a release changes, so
    that regenerating the pages is reproducible."""
    try:
        text = open(os.path.join(root, "CHANGELOG.md"), encoding="utf-8").read()
    except OSError:
        return "Unreleased"
    m = re.search(r"^## \[?" + re.escape(version) + r"\]?\s*-\s*(\S+)", text,
                  re.M)
    return m.group(1) if m else "Unreleased"


# ------------------------------------------------------------------------
# Sentences: summaries and the parts of a function's page
# ------------------------------------------------------------------------

def sentences(text, starters=()):
    """text cut into sentences: at a full stop (or an ellipsis) outside
    parentheses and quotes, followed by a capital, a code, a name of the
    API, one of starters (the parameters: "len 0 returns 0") or the
    end."""
    out, start, depth, quote, i = [], 0, 0, False, 0
    while i < len(text):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c == '"':
            quote = not quote
        elif c in ".!?" and depth == 0 and not quote:
            j = i + 1
            while j < len(text) and text[j] == ".":
                j += 1
            rest = text[j:].lstrip()
            abbreviation = re.search(r"\b(e\.g|i\.e|etc|vs)$", text[:i])
            word = re.match(r"[a-z_]\w*", rest)
            starts = re.match(r"[A-Z0-9*`\"(]|-E[A-Z]|-errno", rest) or (
                word and (word.group(0) in starters or "_" in word.group(0)
                          or word.group(0) in SENTENCE_WORDS))
            if (not rest or (text[j:j + 1] == " " and starts)) \
                    and not abbreviation:
                out.append(text[start:j].strip())
                start = j
            i = j
            continue
        i += 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


# Lower-case words that open sentences of the headers.
SENTENCE_WORDS = {"errno", "true", "false"}


def first_sentence(text, starters=()):
    """The first sentence, without a dangling "e.g." (an example that
    follows as a literal block)."""
    found = sentences(text, starters)
    return re.sub(r",?\s*e\.g\.$", ".", found[0] if found else text)


LEAD = re.compile(r"((?:skt_\w+, )*skt_\w+) - ")


def lead_summary(text, starters=()):
    """(names, summary) when text opens "name[, name] - summary"."""
    m = LEAD.match(text) or re.match(r"([\w.]+) - ", text)
    if not m:
        return [], first_sentence(text, starters).rstrip(".")
    names = m.group(1).split(", ")
    return names, first_sentence(text[m.end():], starters).rstrip(".")


def summarize(fn):
    """fn.name_line (the NAME part) and fn.summary (the one line of the
    module pages): fn's own "fn - ..." if the comment has one, else its
    lead, else its first sentence."""
    names = [f.name for f in fn.group.functions]
    params = set().union(*(f.params for f in fn.group.functions))
    prose = fn.group.comment.prose() if fn.group.comment else []
    for paragraph in prose:
        for m in LEAD.finditer(paragraph):
            listed = m.group(1).split(", ")
            if fn.name in listed:
                fn.summary = first_sentence(paragraph[m.end():],
                                            params).rstrip(".")
                fn.name_line = f"{', '.join(listed)} - {fn.summary}"
                return
    if prose:
        _, fn.summary = lead_summary(prose[0], params)
    else:
        fn.summary = "undocumented in the header"
    fn.name_line = f"{', '.join(names)} - {fn.summary}"


# The openings of the sentences that make the RETURN VALUE, ERRORS and
# TIMEOUT parts. A return sentence may name its subject first: "Both
# return 0", "skt_x returns the count", "The getter returns the setting".
SUBJECT = r"(?:(?:Both|Each|All|The getter|skt_\w+(?:(?:, | and )skt_\w+)*) )?"
RETURN = re.compile(SUBJECT + r"(?:Returns?\b|returns?\b)|Never NULL\b")
ERRORS = re.compile(r"Errors\b")
# "Same returns and errors", "Returns and errors as skt_x": both parts.
BOTH = re.compile(r"(Same returns and errors|Returns and errors as)\b")
TIMEOUT = re.compile(r"(Honours\b|No timeout\b|No I/O\b|Blocks\b|"
                     r"Never blocks\b|The lookup blocks\b|Never waits\b|"
                     r"Does not wait\b|Waits\b)")
DIFFERS = "Differs from Python:"
ERROR_FOLLOWS = re.compile(r"(?i)\b(error|fail)")


def parts(fn, model):
    """The markdown of DESCRIPTION, RETURN VALUE, ERRORS, TIMEOUT and
    DIFFERS FROM PYTHON for fn, from its group's comment."""
    found = {"description": [], "return": [], "errors": [], "timeout": [],
             "differs": []}
    comment = fn.group.comment
    if comment is None:
        return found
    names = {f.name for f in fn.group.functions}
    params = set().union(*(f.params for f in fn.group.functions))
    r = Renderer(model)
    first = True
    for kind, body in comment.blocks:
        if kind != "p":
            found["description"].append(r.block(kind, body))
            continue
        text = body
        if first:
            m = LEAD.match(text)
            if m and set(m.group(1).split(", ")) <= names:
                text = capitalize(text[m.end():], params)
        first = False
        kept, previous = [], None
        for s in sentences(text, params):
            if s.startswith(DIFFERS):
                part = "differs"
                s = capitalize(s[len(DIFFERS):].strip(), params)
            elif BOTH.match(s):
                found["return"].append(r.paragraph(s))
                part = "errors"
            elif RETURN.match(s):
                part = "return"
            elif ERRORS.match(s):
                part = "errors"
                s = capitalize(re.sub(r"^Errors:\s*", "", s), params)
                s = re.sub(r"^Errors as\b", "As", s)
            elif TIMEOUT.match(s):
                part = "timeout"
            elif previous == "errors" and ERROR_FOLLOWS.search(s):
                part = "errors"
            else:
                part = "description"
            previous = part
            if part == "description":
                kept.append(s)
            else:
                found[part].append(r.paragraph(s))
        if kept:
            found["description"].append(r.paragraph(" ".join(kept)))
    void_parts(fn, found, r)
    return found


def returns_void(fn):
    return re.match(r"void\s+(?!\*)\w", fn.synopsis()) is not None


def void_parts(fn, found, r):
    """A function returning void: its RETURN VALUE and ERRORS say so, from
    the prototype; what its group's comment says of returns and errors is
    of the group's other functions."""
    if not returns_void(fn):
        return
    found["return"] = [r.paragraph(f"{fn.name} returns no value (void).")]
    found["errors"] = [r.paragraph(f"None: {fn.name} reports no error.")]


# The parts of a function's page that the project requires of every one.
REQUIRED = (("return", "RETURN VALUE"), ("errors", "ERRORS"),
            ("timeout", "TIMEOUT"))


def missing_parts(model):
    """[(function, [headings it lacks])] for the functions whose comment
    gives no RETURN VALUE, ERRORS or TIMEOUT sentence."""
    out = []
    for fn in model.order:
        found = parts(fn, model)
        lacking = [heading for key, heading in REQUIRED if not found[key]]
        if lacking:
            out.append((fn, lacking))
    return out


def capitalize(text, params=()):
    """A lower-case first word made upper case, unless it names a
    parameter or a code identifier."""
    m = re.match(r"[a-z]+", text)
    after = text[m.end():m.end() + 2] if m else ""
    if not m or after[:1] in ("_", "(", "-", ">", "[") \
            or re.match(r"\.\w", after) \
            or m.group(0) in params or m.group(0) in SENTENCE_WORDS:
        return text
    return text[0].upper() + text[1:]


# ------------------------------------------------------------------------
# Markdown
# ------------------------------------------------------------------------

SPECIAL = set("\\`*_{}[]<>#+|~^$@&")
TOKEN = re.compile(r"`[^`\n]+`|(?<![\w-])-E[A-Z][A-Z0-9]+\b|"
                   r"(?<![\w-])-errno\b|\bSKT_E[A-Z0-9_]*\*|\bSKT_\w+|"
                   r"\bskt_\w+")


def escape(text):
    return "".join("\\" + c if c in SPECIAL else c for c in text)


class Renderer:
    """Header text to pandoc markdown: everything literal, function names
    and error codes in bold."""

    def __init__(self, model):
        self.functions = model.functions
        self.codes = {name for name, _, _, _ in model.errors}

    def inline(self, text):
        out, pos = [], 0
        for m in TOKEN.finditer(text):
            out.append(escape(text[pos:m.start()]))
            token = m.group(0)
            if token.startswith("`"):
                out.append(token)
            elif (token in self.functions or token in self.codes
                  or token.startswith("-") or token.endswith("*")):
                out.append("**" + escape(token) + "**")
            else:
                out.append(escape(token))
            pos = m.end()
        out.append(escape(text[pos:]))
        return "".join(out)

    def paragraph(self, text):
        md = self.inline(text)
        # What would open a list, a heading or a rule is escaped.
        md = re.sub(r"^(\d+)([.)])", r"\1\\\2", md)
        if md[:1] in "-+:=":
            md = "\\" + md
        return md

    def block(self, kind, body):
        if kind == "p":
            return self.paragraph(body)
        if kind == "pre":
            return code(body)
        return "\n".join("- " + self.paragraph(item) for item in body)

    def comment(self, comment):
        return [self.block(kind, body) for kind, body in comment.blocks]


def code(text, language=""):
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text}\n{fence}"


def front_matter(title, section, model):
    return "\n".join([
        "---",
        f"title: {title}",
        f"section: {section}",
        f"header: {MANUAL}",
        f"footer: skt {model.version}",
        f"date: {model.date}",
        "hyphenate: false",
        "adjusting: l",
        "---",
        ""])


def ref(name, section):
    return f"**{escape(name)}**({section})"


def document(title, section, model, parts_list):
    out = [front_matter(title, section, model)]
    for heading, blocks in parts_list:
        blocks = [b for b in blocks if b]
        if not blocks:
            continue
        out.append(f"# {heading}\n")
        out.extend(b + "\n" for b in blocks)
    return "\n".join(out)


def library(header_name):
    lib, flag, pc = LIBRARIES.get(header_name, ("libskt", "-lskt", "skt"))
    return (f"{escape(lib)} (`{flag}`; `pkg-config --cflags --libs {pc}`)")


def function_page(fn, model):
    r = Renderer(model)
    found = parts(fn, model)
    synopsis = [f"#include <{fn.header}>", ""]
    synopsis += [f.synopsis() for f in fn.group.functions]
    see = []
    for f in fn.group.functions:
        if f is not fn:
            see.append(ref(f.name, 3))
    text = fn.group.comment.raw if fn.group.comment else ""
    for name in re.findall(r"\bskt_\w+", text):
        if (name in model.functions and name != fn.name
                and ref(name, 3) not in see):
            see.append(ref(name, 3))
    see.append(ref(model.page(fn.module), 7))
    if fn.module != "skt":
        see.append(ref("skt", 7))
    return document(fn.name, 3, model, [
        ("NAME", [escape(fn.name_line)]),
        ("LIBRARY", [library(fn.header)]),
        ("SYNOPSIS", [code("\n".join(synopsis), "c")]),
        ("DESCRIPTION", found["description"]),
        ("RETURN VALUE", found["return"]),
        ("ERRORS", found["errors"]),
        ("TIMEOUT", found["timeout"]),
        ("DIFFERS FROM PYTHON", found["differs"]),
        ("SEE ALSO", [", ".join(see)]),
    ])


def opaque(group):
    return all(re.fullmatch(r"\s*typedef\s+struct\s+(\w+)\s+\1\s*;\s*",
                            el.text) for el in group.elements)


def decl_code(group):
    return code("\n".join(el.text for el in group.elements), "c")


def function_list(functions, model):
    r = Renderer(model)
    return "\n\n".join(f"{ref(fn.name, 3)}\n:   {r.inline(fn.summary)}"
                       for fn in functions)


def module_parts(model, sections):
    """DESCRIPTION, TYPES AND CONSTANTS and FUNCTIONS of some sections:
    each part keeps the header's order and its subsection headings."""
    r = Renderer(model)
    description, types, functions = [], [], []
    several = len(sections) > 1
    for section in sections:
        heads = {"d": None, "t": None, "f": None}
        sub = section.title if several else None

        def head(part, blocks):
            if sub and heads[part] != sub:
                blocks.append(f"## {escape(sub)}")
                heads[part] = sub

        listed, first = [], True
        for kind, item in section.items:
            if kind == "sub":
                flush_list(functions, listed, model)
                sub = item
            elif kind == "comment":
                head("d", description)
                description.extend(r.comment(item))
            elif item.cat == "decl":
                # The opaque object a section opens with: its comment is
                # the module's introduction.
                intro, first = first and opaque(item), False
                if item.comment is not None and intro:
                    head("d", description)
                    description.extend(r.comment(item.comment))
                    head("t", types)
                    types.append(decl_code(item))
                    continue
                head("t", types)
                if item.comment is not None:
                    types.extend(r.comment(item.comment))
                types.append(decl_code(item))
            else:
                first = False
                if not listed:
                    head("f", functions)
                listed.extend(item.functions)
        flush_list(functions, listed, model)
    return description, types, functions


def flush_list(blocks, listed, model):
    if listed:
        blocks.append(function_list(listed, model))
        listed.clear()


def module_page(module, model):
    sections = [s for s in model.sections if s.module == module]
    header = sections[0].header
    description, types, functions = module_parts(model, sections)
    top = model.tops.get(header) if header != "skt.h" else None
    if top is not None:
        # A header of its own (skt_app.h): its top comment, but for the
        # line that names it, introduces the module.
        r = Renderer(model)
        description[:0] = [r.block(kind, body)
                           for kind, body in top.blocks[1:]]
    see = [ref("skt", 7)] + [ref(model.page(m), 7) for m in model.modules
                             if m not in ("skt", module)]
    page = model.page(module)
    return document(page, 7, model, [
        ("NAME", [Renderer(model).paragraph(
            f"{page} - {model.module_summary(module)}")]),
        ("LIBRARY", [library(header)]),
        ("SYNOPSIS", [code(f"#include <{header}>", "c")]),
        ("DESCRIPTION", description),
        ("TYPES AND CONSTANTS", types),
        ("FUNCTIONS", functions),
        ("SEE ALSO", [", ".join(see)]),
    ])


def overview_page(model):
    """skt(7): the top comment of skt.h, the version, the error codes, the
    timeout modes and every function by module."""
    r = Renderer(model)
    top = model.tops.get("skt.h")
    description, conventions, name = [], [], "Python's networking stack"
    blocks = top.blocks if top else []
    into = description
    for n, (kind, body) in enumerate(blocks):
        if n == 0 and kind == "p":
            name = lead_summary(body)[1]
            continue
        if kind == "p" and body.startswith("Conventions"):
            into = conventions
        if kind == "ul" and into is description:
            body = [section_ref(item, model) for item in body]
            into.append("\n".join("- " + item for item in body))
            continue
        into.append(r.block(kind, body))
    version, errors = overview_sections(model)
    timeouts = []
    for section in model.sections:
        if section.module != "sockets":
            continue
        for kind, item in section.items:
            if kind == "group" and item.cat == "decl" and any(
                    re.search(r"BLOCKING|TIMEOUT", el.name or "")
                    for el in item.elements):
                if item.comment is not None:
                    timeouts.extend(r.comment(item.comment))
                timeouts.append(decl_code(item))
    timed = [fn for fn in model.order if fn.module == "sockets"
             and re.search(r"timeout|blocking", fn.name)]
    if timed:
        timeouts.append(function_list(timed, model))
    api = []
    for module in model.modules:
        listed = [fn for fn in model.order if fn.module == module]
        label = ("the version and the errors (this page)" if module == "skt"
                 else r.inline(model.module_summary(module)))
        api.append(f"{ref(model.page(module), 7)}\n:   {label}: "
                   + ", ".join(ref(fn.name, 3) for fn in listed))
    see = [ref(model.page(m), 7) for m in model.modules if m != "skt"]
    return document("skt", 7, model, [
        ("NAME", [r.paragraph(f"skt - {name}")]),
        ("LIBRARY", [library("skt.h")]),
        ("SYNOPSIS", [code("#include <skt.h>\n#include <skt_app.h>  "
                           "/* the tutorial's protocol, libskt_app */",
                           "c")]),
        ("DESCRIPTION", description),
        ("CONVENTIONS", conventions),
        ("VERSION", version),
        ("ERROR CODES", errors),
        ("TIMEOUT MODES", timeouts),
        ("THE API BY MODULE", api),
        ("SEE ALSO", [", ".join(see)]),
    ])


def overview_sections(model):
    """VERSION (what comes before the first banner of skt.h) and ERROR
    CODES (the Errors section: its comments, the codes, its functions)."""
    r = Renderer(model)
    codes = {name for name, _, _, _ in model.errors}
    version, errors = [], []
    for section in model.sections:
        if section.module != "skt":
            continue
        text, functions = [], []
        for kind, item in section.items:
            if kind == "comment":
                text.extend(r.comment(item))
            elif item.cat == "func":
                functions.extend(item.functions)
            elif not any(el.name in codes for el in item.elements):
                if item.comment is not None:
                    text.extend(r.comment(item.comment))
                text.append(decl_code(item))
        if section.title:
            errors.extend(text)
        else:
            version.extend(text)
        into = errors if section.title else version
        if functions:
            into.append(function_list(functions, model))
    errors.insert(0, error_list(model))
    return version, errors


def section_ref(item, model):
    """A "- Title: what it holds" entry of the top comment, with the
    module's page named."""
    r = Renderer(model)
    title, sep, rest = item.partition(": ")
    for section in model.sections:
        if sep and section.title == title and section.module != "skt":
            return (f"{r.inline(title)} ({ref(model.page(section.module), 7)})"
                    f": {r.inline(rest)}")
    return r.inline(item)


def error_list(model):
    r = Renderer(model)
    rows = []
    for name, value, number, text in model.errors:
        shown = f"{number}" if number is not None else escape(value)
        rows.append(f"**{escape(name)}** ({shown})\n:   "
                    + (r.inline(text) if text else escape(name)))
    return "\n\n".join(rows)


def documents(model):
    """{relative path of the page: markdown}, in a stable order."""
    docs = {}
    for fn in model.order:
        docs[f"man3/{fn.name}.3"] = function_page(fn, model)
    docs["man7/skt.7"] = overview_page(model)
    for module in model.modules:
        if module != "skt":
            docs[f"man7/{model.page(module)}.7"] = module_page(module, model)
    return docs


# ------------------------------------------------------------------------
# pandoc, and the commands
# ------------------------------------------------------------------------

def pandoc(markdown, to, extra=(), source="markdown-smart"):
    result = subprocess.run(
        ["pandoc", "-s", "-f", source, "-t", to, *extra],
        input=markdown.encode(), capture_output=True, check=False)
    if result.returncode != 0 or result.stderr.strip():
        raise RuntimeError("pandoc: " + result.stderr.decode().strip())
    return result.stdout.decode()


def to_man(markdown):
    page = pandoc(markdown, "man")
    return re.sub(r"^\.\\\" Automatically generated by Pandoc.*$", GENERATED,
                  page, count=1, flags=re.M)


def render(docs, convert):
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        pages = pool.map(convert, docs.values())
        return dict(zip(docs.keys(), pages))


def write_pages(pages, outdir):
    """Write the pages into outdir/man3 and outdir/man7, and remove the
    .3 and .7 files there that are no longer generated."""
    for sub, suffix in (("man3", ".3"), ("man7", ".7")):
        folder = os.path.join(outdir, sub)
        os.makedirs(folder, exist_ok=True)
        for name in sorted(os.listdir(folder)):
            if name.endswith(suffix) and f"{sub}/{name}" not in pages:
                os.remove(os.path.join(folder, name))
                print(f"removed {sub}/{name}")
    for rel, text in pages.items():
        path = os.path.join(outdir, rel)
        try:
            if open(path, encoding="utf-8").read() == text:
                continue
        except OSError:
            pass
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def need_pandoc():
    if shutil.which("pandoc") is None:
        print("skipped: pandoc is not installed "
              "(sh scripts/install-deps test installs it)")
        sys.exit(77)


def cmd_generate(outdir):
    need_pandoc()
    pages = render(documents(Model()), to_man)
    write_pages(pages, outdir)
    print(f"man.py: {sum(k.startswith('man3') for k in pages)} pages in "
          f"section 3, {sum(k.startswith('man7') for k in pages)} in "
          f"section 7, in {outdir}")


def cmd_markdown(outdir):
    for rel, text in documents(Model()).items():
        path = os.path.join(outdir, rel + ".md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def cmd_html(outdir):
    need_pandoc()
    model = Model()
    docs = documents(model)
    names = {os.path.basename(rel) for rel in docs}

    def convert(item):
        rel, markdown = item
        name = os.path.basename(rel)
        title = "{}({})".format(*name.rsplit(".", 1))
        html = pandoc(markdown, "html", ["--metadata", f"pagetitle={title}"])
        return link(html, names, model)

    os.makedirs(outdir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for (rel, _), html in zip(docs.items(), pool.map(convert,
                                                         docs.items())):
            name = os.path.basename(rel)
            with open(os.path.join(outdir, name + ".html"), "w",
                      encoding="utf-8") as f:
                f.write(html)
    guides = guide_html(os.path.join(outdir, "guide"))
    index = ("---\ntitle: skt documentation\n---\n\n"
             "- [The guide](guide/README.html): the tutorial, a how-to page "
             "per module, the internals\n"
             "- [The reference manual](skt.7.html): skt(7), then a page per "
             "module and per function, from the header comments\n")
    with open(os.path.join(outdir, "index.html"), "w", encoding="utf-8") as f:
        f.write(pandoc(index, "html"))
    print(f"man.py: {len(docs)} manual pages and {guides} guide pages as "
          f"HTML in {outdir} (start at {os.path.join(outdir, 'index.html')})")


def guide_html(outdir):
    """docs/**/*.md as HTML under outdir, their links to .md made links to
    the .html pages."""
    source = os.path.join(ROOT, "docs")
    pages = sorted(os.path.relpath(os.path.join(d, n), source)
                   for d, _, names in os.walk(source) for n in names
                   if n.endswith(".md"))

    def convert(rel):
        text = open(os.path.join(source, rel), encoding="utf-8").read()
        title = os.path.splitext(rel)[0]
        html = pandoc(text, "html", ["--metadata", f"pagetitle={title}"],
                      "gfm")
        return re.sub(r'href="([^":]+)\.md(#[^"]*)?"', r'href="\1.html\2"',
                      html)

    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for rel, html in zip(pages, pool.map(convert, pages)):
            path = os.path.join(outdir, os.path.splitext(rel)[0] + ".html")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(html)
    return len(pages)


def link(html, names, model):
    """Every bold page reference, "name(N)" or a function's name, made a
    link to that page's HTML file."""
    def page_ref(m):
        name, section = m.group(1), m.group(2)
        if f"{name}.{section}" not in names:
            return m.group(0)
        return (f'<a href="{name}.{section}.html"><strong>{name}</strong>'
                f"({section})</a>")

    html = re.sub(r"<strong>(skt\w*)</strong>\((\d)\)", page_ref, html)

    def function_ref(m):
        name = m.group(1)
        if name not in model.functions:
            return m.group(0)
        return f'<a href="{name}.3.html"><strong>{name}</strong></a>'

    return re.sub(r"(?<!\">)<strong>(skt_\w+)</strong>(?!\()", function_ref,
                  html)


def cmd_check(mandir):
    """Regenerate into a temporary folder and compare with mandir."""
    need_pandoc()
    pages = render(documents(Model()), to_man)
    differ = []
    for sub, suffix in (("man3", ".3"), ("man7", ".7")):
        folder = os.path.join(mandir, sub)
        present = {f"{sub}/{n}" for n in (os.listdir(folder)
                                          if os.path.isdir(folder) else [])
                   if n.endswith(suffix)}
        for rel in sorted(present - set(pages)):
            differ.append(f"{rel}: committed, but no longer generated")
        for rel in sorted(k for k in pages if k.startswith(sub)):
            if rel not in present:
                differ.append(f"{rel}: generated, but not committed")
                continue
            old = open(os.path.join(mandir, rel), encoding="utf-8").read()
            if old != pages[rel]:
                diff = difflib.unified_diff(
                    old.splitlines(), pages[rel].splitlines(),
                    f"{mandir}/{rel}", "regenerated", lineterm="", n=1)
                differ.append("\n".join(list(diff)[:40]))
    if differ:
        print("\n".join(differ))
        print(f"man.py: {len(differ)} pages differ from the headers; "
              "run `make man` and commit man/")
        return 1
    print(f"man.py: the {len(pages)} pages match the headers")
    return 0


def declared_functions(root=ROOT):
    """Every SKT_EXTERN function of the headers, found with a plain
    pattern of its own, so that a fault of the extractor cannot hide one."""
    found = []
    for rel in HEADERS:
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
        for m in re.finditer(r"\bSKT_EXTERN\b[^;(]*?\b(\w+)\s*\(", text):
            if m.group(1) not in {name for _, name in found}:
                found.append((rel, m.group(1)))
    return found


def cmd_coverage(mandir):
    problems = []
    declared = declared_functions()
    names = {name for _, name in declared}
    for rel, name in declared:
        if not os.path.isfile(os.path.join(mandir, "man3", name + ".3")):
            problems.append(f"{name} ({rel}) has no page {mandir}/man3/"
                            f"{name}.3")
    folder = os.path.join(mandir, "man3")
    for page in sorted(os.listdir(folder) if os.path.isdir(folder) else []):
        if page.endswith(".3") and page[:-2] not in names:
            problems.append(f"{mandir}/man3/{page} documents no function "
                            "of the headers")
    overview = os.path.join(mandir, "man7", "skt.7")
    text = open(overview, encoding="utf-8").read() \
        if os.path.isfile(overview) else ""
    if not text:
        problems.append(f"{overview} is missing")
    for _, name in declared:
        if text and not re.search(r"\b" + re.escape(name) + r"\b", text):
            problems.append(f"skt(7) does not name {name}")
    for problem in problems:
        print(problem)
    print(f"man.py: {len(declared)} functions, "
          f"{len(problems)} problems")
    return 1 if problems else 0


def cmd_sections():
    """Exit 1 when a function's page would lack RETURN VALUE, ERRORS or
    TIMEOUT: the header comment says nothing that makes the part."""
    model = Model()
    lacking = missing_parts(model)
    for fn, headings in lacking:
        print(f"{fn.header}:{fn.element.line}: {fn.name}: no "
              + ", no ".join(headings)
              + " (a sentence opening \"Returns\", \"Errors\", "
              "\"Honours\", \"Does not wait\", \"No I/O\", ...)")
    counts = {heading: sum(heading in h for _, h in lacking)
              for _, heading in REQUIRED}
    print(f"man.py: {len(model.order)} functions, {len(lacking)} lacking a "
          "part (" + ", ".join(f"{n} without {heading}"
                               for heading, n in counts.items()) + ")")
    return 1 if lacking else 0


def cmd_lint(mandir):
    if shutil.which("man") is None:
        print("skipped: man (man-db) is not installed")
        sys.exit(77)
    pages = sorted(os.path.join(mandir, sub, name)
                   for sub in ("man3", "man7")
                   if os.path.isdir(os.path.join(mandir, sub))
                   for name in os.listdir(os.path.join(mandir, sub)))
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_STDERR="1")

    def warnings(page):
        result = subprocess.run(["man", "--warnings", "-l", page], env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, check=False)
        text = result.stderr.decode().strip()
        if result.returncode != 0 and not text:
            text = f"man exited with {result.returncode}"
        return page, text

    bad = 0
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for page, text in pool.map(warnings, pages):
            if text:
                bad += 1
                print(f"{page}:\n{text}")
    print(f"man.py: {len(pages)} pages rendered, {bad} with warnings")
    return 1 if bad or not pages else 0


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, args = argv[0], argv[1:]
    default = os.path.join(ROOT, "man")
    where = args[0] if args else default
    if command == "generate":
        cmd_generate(where)
        return 0
    if command == "markdown" and args:
        cmd_markdown(where)
        return 0
    if command == "html" and args:
        cmd_html(where)
        return 0
    if command == "check":
        return cmd_check(where)
    if command == "coverage":
        return cmd_coverage(where)
    if command == "lint":
        return cmd_lint(where)
    if command == "sections" and not args:
        return cmd_sections()
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
