"""Theme lookup (site override folder -> theme -> parent themes) and the Jinja environment.

The environment is strict (undefined variables are errors) and autoescaping, and all
template filters are registered here, in one place. Jinja and the translation catalogues
are imported only by the functions that make or use an environment: a build with nothing
to render resolves the theme (its folders are part of the build key) and stops there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ..core.errors import Diagnostic, Diagnostics, UserError, diagnostic
from ..core.frontmatter import load_yaml_mapping
from ..core.layout import BUILTIN_THEMES, STATIC_DIR, TEMPLATES_DIR, THEMES_DIR, TRANSLATIONS_DIR
from ..core.text import first_sentence
from ..core.urls import to_uri
from .cache import GENERATOR_FINGERPRINT
from .config import SiteConfig, display_path

if TYPE_CHECKING:
    import jinja2

MAX_PARENT_DEPTH = 8


@dataclass(frozen=True)
class Theme:
    """Where templates and static files come from, most specific first."""

    name: str
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    translation_dirs: tuple[Path, ...] = ()  # gettext catalogues of the labels
    # Every file of the template and catalogue folders, found once when the theme is loaded
    # (links refused): the place of its folder in `folders` and its path, in folder order
    # and then sorted. The fingerprints hash them and the templates check compiles them.
    files: tuple[tuple[int, Path], ...] = ()

    @property
    def folders(self) -> tuple[Path, ...]:
        """The template folders, then the catalogue folders, as `files` numbers them."""
        return (*self.template_dirs, *self.translation_dirs)

    def template_files(self) -> list[tuple[Path, Path]]:
        """(template folder, path) of each file in the template folders."""
        folders = self.folders
        return [
            (folders[number], path)
            for number, path in self.files
            if number < len(self.template_dirs)
        ]


def _find_theme_dir(config: SiteConfig, name: str) -> Path | None:
    for base in (config.root / THEMES_DIR, BUILTIN_THEMES):
        candidate = base / name
        if candidate.is_symlink():
            raise UserError([_symlink_problem(candidate)])
        if candidate.is_dir():
            return candidate
    return None


def _symlink_problem(path: Path) -> Diagnostic:
    return diagnostic(
        display_path(path),
        None,
        "symbolic link not followed: it could pull in files from outside the project",
        "copy the folder instead",
    )


def _real_dir(path: Path) -> bool:
    """True for a folder; a symbolic link (to a folder or not) is refused with a UserError."""
    if path.is_symlink():
        raise UserError([_symlink_problem(path)])
    return path.is_dir()


def load_theme(config: SiteConfig) -> Theme:
    """Resolve the theme chain; raise UserError for a missing theme or parent loop."""
    template_dirs: list[Path] = []
    static_dirs: list[Path] = []
    translation_dirs: list[Path] = []
    _real_dir(config.root / THEMES_DIR)  # a linked themes/ would publish files from anywhere
    site_templates = config.root / TEMPLATES_DIR
    if _real_dir(site_templates):
        template_dirs.append(site_templates)
    if _real_dir(config.root / TRANSLATIONS_DIR):
        translation_dirs.append(config.root / TRANSLATIONS_DIR)
    name: str | None = config.theme
    # Who named the theme we look for next: site.yaml's `theme:`, then each theme.yaml's `parent:`.
    named_at: tuple[str, int | None] = (config.config_path, config.line_of("theme"))
    seen: list[str] = []
    while name is not None:
        if name in seen or len(seen) >= MAX_PARENT_DEPTH:
            raise UserError(
                [
                    diagnostic(
                        *named_at,
                        f"theme parents form a loop: {' -> '.join([*seen, name])}",
                    )
                ]
            )
        directory = _find_theme_dir(config, name)
        if directory is None:
            available = sorted(
                {
                    p.name
                    for base in (config.root / THEMES_DIR, BUILTIN_THEMES)
                    if base.is_dir()
                    for p in base.iterdir()
                    if p.is_dir()
                }
            )
            what = "parent theme" if seen else "theme"
            raise UserError(
                [
                    diagnostic(
                        *named_at,
                        f"{what} {name!r} not found in themes/",
                        f"available: {', '.join(available) or 'none'}",
                    )
                ]
            )
        seen.append(name)
        if _real_dir(directory / TEMPLATES_DIR):
            template_dirs.append(directory / TEMPLATES_DIR)
        if _real_dir(directory / STATIC_DIR):
            static_dirs.append(directory / STATIC_DIR)
        if _real_dir(directory / TRANSLATIONS_DIR):
            translation_dirs.append(directory / TRANSLATIONS_DIR)
        name, named_at = _parent_of(directory)
    site_static = config.root / STATIC_DIR
    if _real_dir(site_static):
        static_dirs.insert(0, site_static)
    return Theme(
        config.theme,
        tuple(template_dirs),
        tuple(static_dirs),
        tuple(translation_dirs),
        _files_without_links((*template_dirs, *translation_dirs)),
    )


def _files_without_links(folders: Sequence[Path]) -> tuple[tuple[int, Path], ...]:
    """Every file of the folders, numbered by folder; each symbolic link is refused, in
    every build.

    Jinja opens a linked template wherever it points. The templates check is skipped while
    the manifest says nothing it checks has changed; a cache file may make a build faster,
    never let it publish what it would refuse.
    """
    problems = Diagnostics()
    files = []
    for number, folder in enumerate(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                problems.add(
                    display_path(path), None, "symbolic link not followed", "copy the file instead"
                )
            elif path.is_file():
                files.append((number, path))
    problems.raise_if_any()
    return tuple(files)


def _parent_of(theme_dir: Path) -> tuple[str | None, tuple[str, int | None]]:
    """The parent named in theme.yaml, and where it is named (for messages)."""
    manifest = theme_dir / "theme.yaml"
    shown = display_path(manifest)
    if manifest.is_symlink():
        raise UserError([_symlink_problem(manifest)])
    if not manifest.is_file():
        return None, (shown, None)
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError([diagnostic(shown, None, f"cannot read theme.yaml: {error}")]) from None
    loaded = load_yaml_mapping(text, shown)
    if isinstance(loaded, Diagnostic):
        raise UserError([loaded])
    parent = loaded[0].get("parent")
    line = loaded[1].get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        raise UserError([diagnostic(shown, line, "`parent` must be a theme name")])
    return parent, (shown, line)


def create_environment(
    theme: Theme, config: SiteConfig, bytecode_dir: Path | None
) -> jinja2.Environment:
    """A strict, autoescaping Jinja environment with newsdigest's filters.

    With `bytecode_dir`, compiled templates are cached there (Jinja keys them by source).
    Jinja runs what it loads from there as code: the folder must be one only this user can
    write, never the project's (see cache.bytecode_folder).
    """
    import jinja2

    from .i18n import Catalogues, install_languages

    bytecode_cache = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        # Jinja folds filters on constants into the compiled code (`"style.css" | url` becomes
        # "/news/style.css"), and keys its files by template path and source only: the
        # folder is shared by every project (and `serve`), so the key adds what the filters
        # depend on, and the generator they come from.
        salt = hashlib.blake2b(
            f"{GENERATOR_FINGERPRINT}\0{config.base_url}".encode(), digest_size=10
        ).hexdigest()
        bytecode_cache = jinja2.FileSystemBytecodeCache(
            str(bytecode_dir), pattern=f"newsdigest-{salt}-%s.cache"
        )
    base_path = config.base_path  # worked out once: the url filter runs several times a page
    environment = jinja2.Environment(
        # Each build makes its own environment, so templates cannot change under it; Jinja's
        # default would stat every template file again for every page rendered.
        auto_reload=False,
        bytecode_cache=bytecode_cache,
        loader=jinja2.FileSystemLoader(
            [str(path) for path in theme.template_dirs], followlinks=False
        ),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        url=lambda path: base_path + str(path).lstrip("/"),
        absolute_url=lambda path: config.absolute_url(str(path)),
        absolute_uri=lambda path: config.absolute_uri(str(path)),
        uri=lambda iri: to_uri(str(iri)),
        isodate=lambda value: value.isoformat(),
        first_sentence=lambda text: first_sentence(str(text)),
    )
    install_languages(environment, Catalogues(theme.translation_dirs))
    return environment


def check_templates(
    environment: jinja2.Environment, theme: Theme, required: tuple[str, ...]
) -> None:
    """Compile every template (and read every catalogue) up front, so all syntax errors and
    missing templates show at once."""
    import jinja2

    from .i18n import languages_of

    problems = Diagnostics()
    languages_of(environment).catalogues.check(problems)
    for template_dir, path in theme.template_files():
        if path.suffix in {".html", ".xml", ".txt"}:
            try:
                environment.get_template(path.relative_to(template_dir).as_posix())
            except jinja2.TemplateSyntaxError as error:
                problems.add(
                    display_path(Path(error.filename)) if error.filename else display_path(path),
                    error.lineno,
                    f"template syntax error: {error.message}",
                )
    known = set(environment.list_templates())
    for name in required:
        if name not in known:
            problems.add(
                theme.template_dirs[0] if theme.template_dirs else THEMES_DIR,
                None,
                f"template {name!r} is missing from theme {theme.name!r}",
                "add it, or name a parent theme that has it",
            )
    problems.raise_if_any()


def locate_template_error(error: Exception, traceback: TracebackType | None) -> Diagnostic:
    """Turn an error raised while rendering into `template:line: message`.

    Jinja rewrites tracebacks so that frames point at template files; the last such frame is
    where the template went wrong.
    """
    import jinja2

    location: tuple[str, int] | None = None
    while traceback is not None:
        frame = traceback.tb_frame
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            location = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    message, hint = f"template error: {error}", None
    if isinstance(error, jinja2.UndefinedError):
        message = f"undefined variable in template: {error.message}"
    elif isinstance(error, jinja2.TemplateNotFound):
        # Jinja's own text lists the search folders, which are absolute and machine-specific.
        message = f"template {error.name!r} not found"
        hint = "add it to templates/ or to the theme"
    if location is None:
        return diagnostic(THEMES_DIR, None, message, hint)
    return diagnostic(display_path(Path(location[0])), location[1], message, hint)
