"""Reading a policy document a school brings: .txt, .md, .docx or .pdf, to plain text.

Word bullets and numbering are kept as text markers ("· ", "1. ") so the clause parser
sees the same layout it sees in the bundled policies. Anything unreadable raises
`UnreadablePolicy` with a message a school's IT lead can act on.
"""

from __future__ import annotations

import re
from pathlib import Path

SUPPORTED = (".txt", ".md", ".docx", ".pdf")


class UnreadablePolicy(ValueError):
    """The file cannot be turned into policy text; nothing was changed."""


def read_policy_text(path: Path) -> str:
    if not path.exists():
        raise UnreadablePolicy(f"{path}: no such file")
    if not path.is_file():
        raise UnreadablePolicy(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadablePolicy(
            f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED)}"
        )
    try:
        if suffix in (".txt", ".md"):
            text = _read_text(path)
            if suffix == ".md":
                text = _markdown_to_text(text)
        elif suffix == ".docx":
            text = _read_docx(path)
        else:
            text = _read_pdf(path)
    except UnreadablePolicy:
        raise
    except Exception as exc:  # a corrupt docx/pdf raises library-specific errors
        raise UnreadablePolicy(f"{path.name}: could not be read as {suffix} ({type(exc).__name__}: {exc})") from exc
    if not re.search(r"[A-Za-z]{3,}", text):
        raise UnreadablePolicy(f"{path.name}: contains no readable policy text (is it empty, or a scanned image?)")
    return text


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UnreadablePolicy(f"{path.name}: looks like a binary file, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadablePolicy(f"{path.name}: text is neither UTF-8 nor Windows-1252")


def _markdown_to_text(text: str) -> str:
    """Headings lose their '#', emphasis markers go; bullets and numbering stay."""
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)[*_](\S.*?\S|\S)[*_](?!\w)", r"\1", text)
    text = re.sub(r"^(\s*)[*+]\s+", r"\1- ", text, flags=re.M)
    return text


def _read_docx(path: Path) -> str:
    import docx  # python-docx

    document = docx.Document(str(path))
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            lines.append("")
            continue
        style = (para.style.name or "").lower() if para.style is not None else ""
        numbered = para._p.pPr is not None and para._p.pPr.numPr is not None
        if "list" in style or numbered:
            lines.append(f"· {text}")
        else:
            lines.append(text)
        if style.startswith("heading") or style == "title":
            lines.append("")
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        raise UnreadablePolicy(f"{path.name}: the PDF is password-protected")
    return "\n".join(page.extract_text() or "" for page in reader.pages)
