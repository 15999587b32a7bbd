"""The reader pages' macro files are template globals (``storefront.templating``): a page
calls them without importing, and gets what an import gives."""

import re
from pathlib import Path

from flask import render_template_string

from storefront.templating import MACRO_FILES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_listed_macro_is_defined_in_its_file(app):
    with app.app_context():
        for file, names in MACRO_FILES.items():
            module = app.jinja_env.get_template(file).module
            for name in names:
                assert callable(getattr(module, name, None)), f"{file} has no macro {name}"


def test_no_template_imports_a_file_whose_macros_are_globals():
    imports = re.compile(r'\{%-?\s*(?:from|import)\s+"([^"]+)"')
    found = [(path.relative_to(TEMPLATES).as_posix(), file)
             for path in TEMPLATES.rglob("*.html")
             for file in imports.findall(path.read_text(encoding="utf-8"))
             if file in MACRO_FILES]
    assert found == []


def test_a_global_macro_writes_what_the_imported_one_writes(app):
    calls = [("content/_macros.html", "breadcrumbs",
              "[('Skin <conditions>', '/conditions'), ('Acne & milia', None)]"),
             ("content/_macros.html", "question_text", "'Why?\\nBecause <b>.'"),
             ("reviews/_macros.html", "reviews_word", "3")]
    with app.test_request_context("/"):
        for file, name, arguments in calls:
            imported = render_template_string(
                f'{{% from "{file}" import {name} %}}{{{{ {name}({arguments}) }}}}')
            assert imported.strip(), name
            assert render_template_string(f"{{{{ {name}({arguments}) }}}}") == imported
