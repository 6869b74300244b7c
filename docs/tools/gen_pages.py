"""Pages generated at build time (mkdocs-gen-files), so the site follows the code and the root files.

- ``reference/``: one page per module of the ``sim`` package, found by walking the package (as in
  mkdocstrings' recipes), so a module that is added, split or moved gets its page with no edit here;
  a package's page shows its docstring and what its ``__init__`` defines.
- ``index.md`` and ``contributing.md``: README.md and CONTRIBUTING.md, which live at the repository
  root for GitHub, with their links into ``docs/`` rewritten to the site's pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "sim"
ROOT_PAGES = {"README.md": "index.md", "CONTRIBUTING.md": "contributing.md"}


def reference_pages() -> None:
    """Write a page per module of the package and the reference's navigation (literate-nav)."""
    nav = mkdocs_gen_files.Nav()
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        page = Path(*parts, "index.md") if is_package else Path(*parts).with_suffix(".md")
        nav[parts] = page.as_posix()
        # a package's lazy re-exports (its __init__.pyi) are aliases, which mkdocstrings leaves to
        # the modules that define them; what the package itself defines is shown on its page
        with mkdocs_gen_files.open(Path("reference", page), "w") as out:
            name = ".".join(parts)
            out.write(f"---\ntitle: {name}\n---\n\n::: {name}\n")
    with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as out:
        out.writelines(nav.build_literate_nav())


def site_link(match: re.Match[str]) -> str:
    """A root file's relative link as the site sees it: ``docs/x`` is ``x``, a root page its page."""
    target = match.group(2)
    if target.startswith("docs/"):
        target = target.removeprefix("docs/")
    else:
        name, _, anchor = target.partition("#")
        target = ROOT_PAGES.get(name, name) + (f"#{anchor}" if anchor else "")
    return f"{match.group(1)}({target})"


def root_pages() -> None:
    """Copy the root Markdown files into the site with their links rewritten."""
    for name, page in ROOT_PAGES.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        with mkdocs_gen_files.open(page, "w") as out:
            out.write(re.sub(r"(!?\[[^\]]*\])\((?!https?://|#)([^)\s]+)\)", site_link, text))


reference_pages()
root_pages()
