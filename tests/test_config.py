"""Settings (bridge/config.py) and the salts of bridge.wordpress.auth.SiteKeys.

The salts are compared with what WordPress itself computes: ``wp_salt()`` run by PHP on a
throw-away site whose wp-config.php is rewritten for each case.
"""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy.orm import Session

from bridge import config
from bridge.config import ConfigError, parse_wp_config
from bridge.storage.db import make_engine
from bridge.storage.tables import tables
from bridge.wordpress.auth import PLACEHOLDER, SiteKeys
from devstack.wordpress import WordPressSite, php_str

# -- parse_wp_config ---------------------------------------------------------------------


def test_single_and_double_quotes():
    found = parse_wp_config(
        """<?php
define( 'DB_NAME', 'wordpress' );
define("DB_USER", "wp_user");
define ( 'DB_PASSWORD' , "p@ss w0rd" ) ;
"""
    )
    assert found["DB_NAME"] == "wordpress"
    assert found["DB_USER"] == "wp_user"
    assert found["DB_PASSWORD"] == "p@ss w0rd"


def test_escaped_quotes_and_backslashes():
    found = parse_wp_config(
        r"""<?php
define( 'A', 'it\'s' );
define( 'B', "say \"hi\"" );
define( 'C', 'back\\slash and \n stays' );
define( 'D', "tab\there \$dollar" );
define( "E\"", 'odd name' );
"""
    )
    assert found["A"] == "it's"
    assert found["B"] == 'say "hi"'
    # Single quotes: only \\ and \' are escapes.
    assert found["C"] == "back\\slash and \\n stays"
    assert found["D"] == "tab\there $dollar"
    assert found['E"'] == "odd name"


def test_commented_out_defines_are_ignored():
    found = parse_wp_config(
        """<?php
// define( 'DB_NAME', 'line-comment' );
# define( 'DB_USER', 'hash-comment' );
/* define( 'DB_PASSWORD', 'block-comment' ); */
/*
 * define( 'DB_HOST', 'multi-line block comment' );
 */
define( 'DB_NAME', 'real' ); // define( 'DB_USER', 'trailing comment' );
define( 'DB_USER', 'real-user' ); # trailing hash comment
define( 'WP_HOME', 'http://example.org/#top' );
define( 'COOKIEHASH', 'has /* no */ comment' );
"""
    )
    assert found["DB_NAME"] == "real"
    assert found["DB_USER"] == "real-user"
    assert "DB_PASSWORD" not in found
    assert "DB_HOST" not in found
    # Comment markers inside a string are text.
    assert found["WP_HOME"] == "http://example.org/#top"
    assert found["COOKIEHASH"] == "has /* no */ comment"


def test_table_prefix_and_other_literals():
    found = parse_wp_config(
        """<?php
define( 'WP_DEBUG', false );
DEFINE( 'FORCE_SSL_ADMIN', TRUE );
define( 'WP_POST_REVISIONS', 5 );
define( 'NOTHING', null );
define( 'FROM_ENV', getenv( 'X' ) );
/* $table_prefix = 'commented_'; */
$table_prefix = 'si_';
"""
    )
    assert found["WP_DEBUG"] is False
    assert found["FORCE_SSL_ADMIN"] is True
    assert found["WP_POST_REVISIONS"] == 5
    assert found["NOTHING"] is None
    # Computed at run time: not a literal, skipped.
    assert "FROM_ENV" not in found
    assert found["table_prefix"] == "si_"


def test_first_define_wins():
    """PHP ignores (with a warning) a second define() of a constant."""
    found = parse_wp_config("<?php define('DB_NAME', 'first'); define('DB_NAME', 'second');")
    assert found["DB_NAME"] == "first"


# -- from_wp_config and resolve ----------------------------------------------------------

WP_CONFIG = """<?php
define( 'DB_NAME', 'site_db' );
define( 'DB_USER', 'site_user' );
define( 'DB_PASSWORD', 'site-password' );
define( 'DB_HOST', 'db.example.org:3307' );
define( 'LOGGED_IN_KEY', 'lik' );
define( 'LOGGED_IN_SALT', 'lis' );
define( 'SPACE_INBOX_SECRET', 'from-wp-config' );
define( 'WP_DEBUG', false );
$table_prefix = 'abc_';
"""


@pytest.fixture
def wp_config(tmp_path):
    path = tmp_path / "wp-config.php"
    path.write_text(WP_CONFIG, encoding="utf-8")
    return path


def test_from_wp_config(wp_config):
    settings = config.from_wp_config(wp_config)
    assert settings == {
        "DB_NAME": "site_db",
        "DB_USER": "site_user",
        "DB_PASSWORD": "site-password",
        "DB_HOST": "db.example.org:3307",
        "LOGGED_IN_KEY": "lik",
        "LOGGED_IN_SALT": "lis",
        # The wp-config.php constant becomes the shared secret.
        "SECRET": "from-wp-config",
        "TABLE_PREFIX": "abc_",
    }


def test_resolve_reads_wp_config(wp_config):
    settings = config.resolve({"WP_CONFIG": str(wp_config)})
    assert settings["SECRET"] == "from-wp-config"
    assert settings["TABLE_PREFIX"] == "abc_"
    assert settings["PAGE_SIZE"] == config.DEFAULTS["PAGE_SIZE"]
    url = settings["SQLALCHEMY_URL"]
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "site_user",
        "site-password",
        "db.example.org",
        3307,
        "site_db",
    )


def test_unreadable_wp_config(tmp_path):
    with pytest.raises(ConfigError, match="cannot read wp-config.php"):
        config.resolve({"WP_CONFIG": str(tmp_path / "missing" / "wp-config.php")})


def test_environment_wins_over_wp_config(wp_config):
    given = config.from_environment(
        {
            "SPACE_INBOX_DB_NAME": "env_db",
            "SPACE_INBOX_DB_HOST": "env-host:3308",
            "SPACE_INBOX_TABLE_PREFIX": "env_",
            "SPACE_INBOX_SECRET": "from-env",
            "SPACE_INBOX_WP_CONFIG": str(wp_config),
            "DB_NAME": "not ours",
            "PATH": "/usr/bin",
        }
    )
    assert "PATH" not in given
    settings = config.resolve(given)
    assert settings["DB_NAME"] == "env_db"
    assert settings["DB_USER"] == "site_user"  # not in the environment: wp-config.php's
    assert settings["TABLE_PREFIX"] == "env_"
    assert settings["SECRET"] == "from-env"
    url = settings["SQLALCHEMY_URL"]
    assert (url.host, url.port, url.database) == ("env-host", 3308, "env_db")


def test_int_settings_are_parsed():
    given = config.from_environment(
        {
            "SPACE_INBOX_PAGE_SIZE": "50",
            "SPACE_INBOX_NONCE_LIFE": "3600",
            "SPACE_INBOX_SIGNATURE_MAX_SKEW": "60",
            "SPACE_INBOX_DB_POOL_SIZE": "9",
            "SPACE_INBOX_DB_POOL_RECYCLE": "120",
            "SPACE_INBOX_MAX_CONTENT_LENGTH": "1024",
            "SPACE_INBOX_DB_PASSWORD": "1234",  # not an int setting: stays text
        }
    )
    assert given == {
        "PAGE_SIZE": 50,
        "NONCE_LIFE": 3600,
        "SIGNATURE_MAX_SKEW": 60,
        "DB_POOL_SIZE": 9,
        "DB_POOL_RECYCLE": 120,
        "MAX_CONTENT_LENGTH": 1024,
        "DB_PASSWORD": "1234",
    }


@pytest.mark.parametrize("value", ["ten", "", "1.5", "3 0"])
def test_bad_int_setting(value):
    with pytest.raises(ConfigError, match="SPACE_INBOX_PAGE_SIZE must be a whole number"):
        config.from_environment({"SPACE_INBOX_PAGE_SIZE": value})


@pytest.mark.parametrize("prefix", ["wp-", "wp_; DROP TABLE x", "", "wp_`", "wp.", "é_"])
def test_bad_table_prefix_is_refused(prefix):
    with pytest.raises(ConfigError, match="table prefix"):
        config.resolve({"DB_NAME": "d", "DB_USER": "u", "TABLE_PREFIX": prefix})


def test_bad_table_prefix_in_wp_config_is_refused(tmp_path):
    path = tmp_path / "wp-config.php"
    path.write_text(WP_CONFIG.replace("'abc_'", "'abc-'"), encoding="utf-8")
    with pytest.raises(ConfigError, match="table prefix"):
        config.resolve({"WP_CONFIG": str(path)})


@pytest.mark.parametrize("given", [{}, {"DB_NAME": "d"}, {"DB_USER": "u"}])
def test_missing_database_is_a_clear_error(given):
    with pytest.raises(ConfigError) as caught:
        config.resolve(given)
    message = str(caught.value)
    assert "no database configured" in message
    assert "--wp-config" in message and "SPACE_INBOX_DB_NAME" in message


def test_database_url_wins():
    settings = config.resolve({"DATABASE_URL": "mysql+pymysql://u:p@h/d", "DB_HOST": "x:1"})
    assert settings["SQLALCHEMY_URL"] == "mysql+pymysql://u:p@h/d"


# -- DB_HOST: every form WordPress accepts -----------------------------------------------


@pytest.fixture
def socket_path(tmp_path):
    path = tmp_path / "run" / "mysqld.sock"
    path.parent.mkdir()
    path.write_text("")  # only its existence counts
    return path


def _url(db_host, sockets=()):
    settings = config.resolve(
        {
            "DB_NAME": "wp",
            "DB_USER": "wp",
            "DB_PASSWORD": "secret",
            "DB_HOST": db_host,
            "MYSQL_SOCKETS": tuple(str(s) for s in sockets),
        }
    )
    return settings["SQLALCHEMY_URL"]


@pytest.mark.parametrize(
    ("db_host", "host", "port"),
    [
        ("db.example.org", "db.example.org", None),
        ("db.example.org:3307", "db.example.org", 3307),
        ("127.0.0.1", "127.0.0.1", None),
        ("127.0.0.1:3306", "127.0.0.1", 3306),
        ("[::1]:3306", "::1", 3306),
        ("[::1]", "::1", None),
        ("[2001:db8::5]:3310", "2001:db8::5", 3310),
        ("localhost:3306", "localhost", 3306),
    ],
)
def test_db_host_tcp(db_host, host, port, socket_path):
    """A host, with or without a port, is TCP even when a local socket exists."""
    url = _url(db_host, [socket_path])
    assert (url.host, url.port) == (host, port)
    assert "unix_socket" not in url.query
    assert url.query["charset"] == "utf8mb4"
    assert (url.username, url.password, url.database) == ("wp", "secret", "wp")


@pytest.mark.parametrize("host", ["localhost", "db.example.org"])
def test_db_host_with_socket_path(host, tmp_path):
    url = _url(f"{host}:{tmp_path}/mysql.sock")
    assert url.host == host
    assert url.port is None
    assert url.query["unix_socket"] == f"{tmp_path}/mysql.sock"


def test_bare_localhost_uses_the_socket_that_exists(tmp_path, socket_path):
    url = _url("localhost", [tmp_path / "absent.sock", socket_path])
    assert url.host == "localhost"
    assert url.port is None
    assert url.query["unix_socket"] == str(socket_path)


def test_bare_localhost_without_socket_is_tcp(tmp_path):
    url = _url("localhost", [tmp_path / "absent.sock", tmp_path / "also-absent.sock"])
    assert url.host == "localhost"
    assert url.port is None
    assert "unix_socket" not in url.query


def test_empty_db_host_is_localhost(socket_path):
    url = _url("", [socket_path])
    assert url.host == "localhost"
    assert url.query["unix_socket"] == str(socket_path)


# -- SiteKeys.salt() against WordPress' wp_salt() ----------------------------------------

KEY_RE = re.compile(
    r"^define\( '(?:AUTH|SECURE_AUTH|LOGGED_IN|NONCE|SECRET)_(?:KEY|SALT)', .*\);\n", re.M
)
PREFIX = "wpk_"


@pytest.fixture(scope="module")
def keys_site(tmp_path_factory):
    """A second WordPress whose wp-config.php keys the tests rewrite."""
    site = WordPressSite(
        tmp_path_factory.mktemp("wp-keys"), f"si_test_keys_{os.getpid()}", table_prefix=PREFIX
    )
    site.start()
    yield site
    site.stop()
    site.drop()


def _write_keys(site: WordPressSite, keys: dict[str, str]) -> None:
    """Replace every key/salt define() of the site's wp-config.php with ``keys``."""
    text = KEY_RE.sub("", site.wp_config_path.read_text(encoding="utf-8"))
    block = "".join(f"define( {php_str(k)}, {php_str(v)} );\n" for k, v in keys.items())
    text = text.replace("$table_prefix", block + "\n$table_prefix", 1)
    site.wp_config_path.write_text(text, encoding="utf-8")


UNIQUE = "a-secret-key-of-our-own-that-no-other-constant-has-0123456789"

#: name -> changes to the site's eight generated keys: a value, "=NAME" for a copy of
#: another constant's value, or None to leave the constant undefined.
SCENARIOS = {
    "all real keys": {},
    "LOGGED_IN_KEY placeholder": {"LOGGED_IN_KEY": PLACEHOLDER},
    "NONCE_SALT placeholder": {"NONCE_SALT": PLACEHOLDER},
    "LOGGED_IN_SALT duplicates AUTH_KEY": {"LOGGED_IN_SALT": "=AUTH_KEY"},
    "NONCE_KEY duplicates LOGGED_IN_KEY": {"NONCE_KEY": "=LOGGED_IN_KEY"},
    "LOGGED_IN_KEY and NONCE_SALT undefined": {"LOGGED_IN_KEY": None, "NONCE_SALT": None},
    "LOGGED_IN_SALT empty": {"LOGGED_IN_SALT": ""},
    "SECRET_KEY defined, scheme keys too": {"SECRET_KEY": UNIQUE},
    "SECRET_KEY stands in for missing keys": {
        "SECRET_KEY": UNIQUE,
        "LOGGED_IN_KEY": None,
        "NONCE_KEY": PLACEHOLDER,
    },
    "SECRET_KEY duplicated is unset": {"SECRET_KEY": "=NONCE_SALT", "LOGGED_IN_KEY": None},
    "SECRET_KEY placeholder is unset": {"SECRET_KEY": PLACEHOLDER, "NONCE_KEY": None},
    "SECRET_SALT plays no part": {"SECRET_SALT": UNIQUE, "LOGGED_IN_SALT": None},
    # PHP treats the string '0' as false: wp_salt() ignores a constant defined as '0' and
    # falls back to the option, and so must the bridge.
    "LOGGED_IN_KEY '0' is unset, as in PHP": {"LOGGED_IN_KEY": "0"},
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_salt_matches_wp_salt(keys_site, scenario):
    keys = dict(keys_site.keys)
    for name, value in SCENARIOS[scenario].items():
        if value is None:
            keys.pop(name, None)
        else:
            keys[name] = keys[value[1:]] if value.startswith("=") else value
    _write_keys(keys_site, keys)
    # PHP first: wp_salt() creates the fallback options when they do not exist yet.
    expected = keys_site.php("echo wp_salt( 'logged_in' ), \"\\n\", wp_salt( 'nonce' );")
    php_logged_in, php_nonce = expected.split("\n")

    settings = config.resolve({"WP_CONFIG": str(keys_site.wp_config_path)})
    engine = make_engine(settings)
    try:
        with Session(engine, info={"tables": tables(PREFIX)}) as session:
            site_keys = SiteKeys(settings)
            assert site_keys.salt(session, "logged_in") == php_logged_in
            assert site_keys.salt(session, "nonce") == php_nonce
    finally:
        engine.dispose()


def test_salt_fallback_reads_the_options(keys_site):
    """With the placeholder, the salt is the option's value, not the placeholder's."""
    keys = {**keys_site.keys, "LOGGED_IN_KEY": PLACEHOLDER}
    _write_keys(keys_site, keys)
    keys_site.php("wp_salt( 'logged_in' );")
    option = keys_site.option("logged_in_key")
    assert option and option != PLACEHOLDER
    settings = config.resolve({"WP_CONFIG": str(keys_site.wp_config_path)})
    engine = make_engine(settings)
    try:
        with Session(engine, info={"tables": tables(PREFIX)}) as session:
            salt = SiteKeys(settings).salt(session, "logged_in")
    finally:
        engine.dispose()
    assert salt == option + keys["LOGGED_IN_SALT"]


def test_salt_is_none_before_wordpress_made_the_options(keys_site):
    """No usable constant and no option yet: the bridge says so instead of guessing."""
    keys_site.sql(
        "DELETE FROM {prefix}options WHERE option_name IN ('logged_in_key', 'nonce_salt')"
    )
    keys = {**keys_site.keys, "LOGGED_IN_KEY": PLACEHOLDER, "NONCE_SALT": PLACEHOLDER}
    settings = config.resolve({"WP_CONFIG": str(keys_site.wp_config_path), **keys})
    engine = make_engine(settings)
    try:
        with Session(engine, info={"tables": tables(PREFIX)}) as session:
            site_keys = SiteKeys(settings)
            assert site_keys.salt(session, "logged_in") is None
            assert site_keys.salt(session, "nonce") is None
    finally:
        engine.dispose()
