"""The API's limits are declared once, in bridge/limits.py: the plugin's copy,
wp_plugin/includes/class-space-inbox-limits.php, is what tools/make-limits writes from it
now, and PHP reads the same values from it. (That the rendered pages hand them to the
browser is checked in test_plugin_stack.py and the browser journeys.)"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import pathlib
import re
import subprocess

import pytest

from bridge import limits

ROOT = pathlib.Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "tools" / "make-limits"
PHP_FILE = ROOT / "wp_plugin" / "includes" / "class-space-inbox-limits.php"
#: What the plugin and the browser use, at least.
NEEDED = {"BODY_MAX", "EXCERPT_LEN", "CLIENT_KEY_PATTERN", "STATUSES", "PAGE_MAX"}


def _generator():
    """tools/make-limits, imported as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("make_limits", str(GENERATOR))
    spec = importlib.util.spec_from_loader("make_limits", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _php(code: str) -> str:
    """Run PHP code with the generated class loaded, as the plugin loads it."""
    done = subprocess.run(
        ["php", "-r", f"define( 'ABSPATH', '/' ); require {json.dumps(str(PHP_FILE))}; {code}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def _declared() -> dict[str, object]:
    """Every limit of bridge/limits.py (UPPER_CASE module attributes), by name."""
    return {name: value for name, value in vars(limits).items() if name.isupper()}


def test_the_php_file_is_what_make_limits_writes_now():
    assert PHP_FILE.read_text(encoding="utf-8") == _generator().render(), (
        f"{PHP_FILE.relative_to(ROOT)} is out of date with bridge/limits.py: run make limits"
    )


def test_the_php_file_says_where_it_comes_from():
    head = PHP_FILE.read_text(encoding="utf-8")[:600]
    assert "bridge/limits.py" in head and "tools/make-limits" in head
    assert "do not edit by hand" in head


def test_php_reads_the_same_values_as_the_bridge():
    got = json.loads(
        _php("echo json_encode( ( new ReflectionClass( 'Space_Inbox_Limits' ) )->getConstants() );")
    )
    expected = {}
    for name, value in _declared().items():
        if isinstance(value, int) and value > 2**63 - 1:
            continue  # MAX_ID: no PHP integer holds it
        expected[name] = list(value) if isinstance(value, tuple) else value
    assert got == expected
    assert NEEDED <= set(got)


@pytest.mark.parametrize(
    "key",
    [
        "0b6a3d0e-6a43-4c1e-9a53-0b1f2f5a7c11",
        "k1",
        "a.b_c:d-e",
        "x" * limits.CLIENT_KEY_MAX,
        "x" * (limits.CLIENT_KEY_MAX + 1),
        "",
        "has space",
        "slash/no",
        "ünïcode",
        "ok\n",
    ],
)
def test_php_and_python_agree_on_client_keys(key):
    """The pattern means the same to PCRE (anchored, as a whole key) as to Python's re."""
    said = _php(
        "echo preg_match( '/^(?:' . Space_Inbox_Limits::CLIENT_KEY_PATTERN . ')$/D', "
        f"{json.dumps(key)} ) ? 'yes' : 'no';"
    )
    python = re.fullmatch(limits.CLIENT_KEY_PATTERN, key) is not None
    assert said == ("yes" if python else "no"), key


def test_make_limits_takes_each_constants_comment(tmp_path):
    """The PHPDoc of a constant is the #: comment above it, or its group's."""
    source = tmp_path / "limits.py"
    source.write_text(
        '"""Limits."""\n\n'
        "#: The longest ``thing``.\n"
        "THING_MAX = 5\n"
        "THING_MIN = 1\n\n"
        "#: Kinds, with a 'quote'.\n"
        "KINDS = ('a', \"b'c\")\n"
        "#: Too big for PHP.\n"
        "HUGE = 2**64 - 1\n",
        encoding="utf-8",
    )
    text = _generator().render(source)
    assert "\t/** The longest `thing`. */\n\tconst THING_MAX = 5;" in text
    assert "\t/** The longest `thing`. */\n\tconst THING_MIN = 1;" in text
    assert "\tconst KINDS = array( 'a', 'b\\'c' );" in text
    assert "HUGE" not in text
