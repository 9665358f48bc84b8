#!/usr/bin/env python3
"""differences.py HEADER... - prints docs/differences-from-python.md: every
place where the public headers say "Differs from Python:", gathered on one
page with the name it belongs to. The test docs.differences_page_is_current
regenerates the page and fails on any difference, so it cannot drift."""
import re
import sys

PHRASE = "Differs from Python:"
# A sentence ends at a full stop followed by a capital letter or the end.
SENTENCE_END = re.compile(r"\.(?=\s+[A-Z(]|\s*$)")


def comments(text):
    """(comment text, declaration text that follows, the struct the
    comment stands in or None) for each comment."""
    for m in re.finditer(r"/\*(.*?)\*/", text, re.S):
        before = text[:m.start()]
        # The last struct opened with a brace: a forward declaration
        # (typedef struct x x;) opens none.
        opened = None
        for opened in re.finditer(r"typedef struct (\w+)\s*\{", before):
            pass
        inside = None
        if opened and "\n}" not in before[opened.end():]:
            inside = opened.group(1)
        yield (m.group(1), text[m.end():m.end() + 400], inside)


def plain(comment):
    lines = (line.strip().lstrip("*").strip() for line in comment.splitlines())
    return " ".join(line for line in lines if line)


def name_of(comment, after, struct):
    """The name a comment documents: a field (struct.field) inside a
    struct, else the first skt_ or SKT_ name it opens with, else the first
    one declared after it."""
    field = re.match(r"\s*[^;(]*?(\w+)(\[[^]]*\])?;", after)
    if struct and field:
        return f"{struct}.{field.group(1)}"
    head = re.match(r"\s*\**\s*((?:skt|SKT)_[A-Za-z0-9_]+)", comment)
    if head:
        return head.group(1)
    found = re.search(r"\b((?:skt|SKT)_[A-Za-z0-9_]+)\b", after)
    return found.group(1) if found else "?"


def main(headers):
    print("# Where skt differs from Python\n")
    print("skt keeps the semantics of Python's `socket`, `selectors`, "
          "`socketserver` and\n`ssl` modules, except where Python's "
          "behaviour is a flaw or has no C\nequivalent. Each such place "
          "says \"Differs from Python:\" in the header,\nnext to what it "
          "documents; this page gathers them (it is generated from\nthe "
          "headers by `scripts/differences.py`).\n")
    for header in headers:
        text = open(header, encoding="utf-8").read()
        rows = []
        for comment, after, struct in comments(text):
            flat = plain(comment)
            start = flat.find(PHRASE)
            if start < 0:
                continue
            rest = flat[start + len(PHRASE):].strip()
            end = SENTENCE_END.search(rest)
            rows.append((name_of(comment, after, struct),
                         rest[:end.end()] if end else rest))
        if not rows:
            continue
        print(f"## `{header.split('/')[-1]}`\n")
        for name, why in rows:
            print(f"- `{name}`: {why}")
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
