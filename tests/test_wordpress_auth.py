"""The bridge verifies real WordPress logins itself: cookies from wp-login.php, session
tokens, REST nonces from admin-ajax.php, and what logging out or a new password does."""

from __future__ import annotations

import hashlib
import json
import urllib.parse

import pytest

from bridge.storage.db import get_session
from bridge.wordpress import auth, php_request
from devstack.callers import PASSWORD, SPACE, upsert_space
from devstack.wordpress import php_str

SUMMARY = "/api/v1/me/summary"


@pytest.fixture(params=[SUMMARY, "/api/v1/me/conversations"], ids=["header-poll", "member-guard"])
def read(request):
    """A member read, by each of the two ways the bridge checks a cookie.

    The header poll checks it against the row of its one statement
    (``bridge.api.header``); every other member and admin route through the blueprint
    hook (``bridge.api.guards.member_login``).
    """
    return request.param


@pytest.fixture
def login(wordpress):
    """Log a (created on first use) user in through wp-login.php; return (id, session, cookie)."""

    def _login(name: str, password: str = PASSWORD):
        user_id = wordpress.user_id(name) or wordpress.create_user(name, password)
        session = wordpress.login(name, password)
        cookie_name, value = wordpress.logged_in_cookie(session)
        return user_id, session, f"{cookie_name}={value}"

    return _login


def _with_field(cookie: str, index: int, change) -> str:
    name, value = cookie.split("=", 1)
    fields = value.split("%7C")
    fields[index] = change(fields[index])
    return f"{name}={'%7C'.join(fields)}"


def test_a_real_cookie_from_wp_login_is_accepted(client, login, read):
    _, _, cookie = login("cookie.real")
    answer = client.get(read, headers={"Cookie": cookie})
    assert answer.status_code == 200
    assert answer.get_json() == (
        {"unread": 0, "conversations_unread": 0, "inbox_url": answer.get_json()["inbox_url"]}
        if read == SUMMARY
        else {"conversations": [], "next_cursor": None}
    )


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("login", lambda v: "maya.member"),
        ("login", lambda v: v.upper()),
        ("expiration", lambda v: str(int(v) + 1)),
        # WordPress' hmac covers the expiration as written: 0123 is not 123 to it.
        ("expiration", lambda v: "0" + v),
        ("token", lambda v: v[:-1] + ("A" if v[-1] != "A" else "B")),
        ("hmac", lambda v: v[:-1] + ("0" if v[-1] != "0" else "1")),
        ("hmac", lambda v: ""),
    ],
)
def test_a_tampered_cookie_is_refused(client, login, people, field, change, read):
    _, _, cookie = login("cookie.tamper")
    index = ["login", "expiration", "token", "hmac"].index(field)
    answer = client.get(read, headers={"Cookie": _with_field(cookie, index, change)})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "not_logged_in"


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "a|b|c", "a%7Cb%7Cc%7Cd%7Ce", "%7C%7C%7C", "x%7Cnot-a-number%7Ct%7Ch"],
)
def test_malformed_cookies_are_refused(client, wordpress, value, read):
    name = "wordpress_logged_in_" + hashlib.md5(wordpress.url.encode()).hexdigest()
    answer = client.get(read, headers={"Cookie": f"{name}={value}"})
    assert answer.status_code == 401


def test_a_cookie_for_another_site_is_ignored(client, login, read):
    _, _, cookie = login("cookie.othersite")
    _, value = cookie.split("=", 1)
    answer = client.get(read, headers={"Cookie": f"wordpress_logged_in_{'f' * 32}={value}"})
    assert answer.status_code == 401


def _php_cookie(wordpress, user_id: int, cookie_expiration: str, session_expiration: str) -> str:
    """Have WordPress itself make a session and a logged-in cookie with given expirations."""
    value = wordpress.php(
        f"""
        $manager = WP_Session_Tokens::get_instance({user_id});
        $token = $manager->create({session_expiration});
        echo wp_generate_auth_cookie({user_id}, {cookie_expiration}, 'logged_in', $token);
        """
    ).strip()
    name = "wordpress_logged_in_" + hashlib.md5(wordpress.url.encode()).hexdigest()
    return f"{name}={value.replace('|', '%7C')}"


def test_an_expired_cookie_is_refused(client, wordpress, login, read):
    user_id, _, _ = login("cookie.expired")
    cookie = _php_cookie(wordpress, user_id, "time() - 10", "time() + 3600")
    assert client.get(read, headers={"Cookie": cookie}).status_code == 401


def test_an_expired_cookie_has_wordpress_post_grace_of_an_hour_only(client, wordpress, login):
    user_id, session, _ = login("cookie.grace")
    upsert_space(client, SPACE, "Pizzeria Napoli", [])
    nonce = wordpress.rest_nonce(session)
    url = f"/api/v1/me/spaces/{SPACE}/read"
    long_ago = _php_cookie(wordpress, user_id, "time() - 3700", "time() + 3600")
    assert client.post(url, headers={"Cookie": long_ago, "X-WP-Nonce": nonce}).status_code == 401


def test_a_cookie_whose_session_expired_is_refused(client, wordpress, login, read):
    user_id, _, _ = login("cookie.session")
    cookie = _php_cookie(wordpress, user_id, "time() + 3600", "time() - 10")
    assert client.get(read, headers={"Cookie": cookie}).status_code == 401


def test_a_cookie_made_by_wordpress_is_accepted(client, wordpress, login, read):
    """The same helper, with valid times: proves the refusals above are about time."""
    user_id, _, _ = login("cookie.valid")
    cookie = _php_cookie(wordpress, user_id, "time() + 3600", "time() + 3600")
    assert client.get(read, headers={"Cookie": cookie}).status_code == 200


def test_logging_out_in_wordpress_locks_the_cookie_out_at_once(client, wordpress, login, read):
    _, session, cookie = login("cookie.logout")
    assert client.get(read, headers={"Cookie": cookie}).status_code == 200
    wordpress.logout(session)
    assert client.get(read, headers={"Cookie": cookie}).status_code == 401


def test_other_sessions_survive_a_logout(client, wordpress, login, read):
    _, first, first_cookie = login("cookie.twosessions")
    _, _, second_cookie = login("cookie.twosessions")
    wordpress.logout(first)
    assert client.get(read, headers={"Cookie": first_cookie}).status_code == 401
    assert client.get(read, headers={"Cookie": second_cookie}).status_code == 200


def test_a_password_change_refuses_the_old_cookie(client, wordpress, login, read):
    user_id, _, cookie = login(f"cookie.newpass.{read.rsplit('/', 1)[1]}")
    assert client.get(read, headers={"Cookie": cookie}).status_code == 200
    wordpress.set_password(user_id, "an entirely new password")
    assert client.get(read, headers={"Cookie": cookie}).status_code == 401


@pytest.mark.parametrize("name", ["jane doe@example", "jo+ann", "zoë.ü"])
def test_logins_with_spaces_plus_and_accents(client, wordpress, name, read):
    """PHP percent-encodes the cookie and never turns '+' into a space."""
    name = f"{name}.{read.rsplit('/', 1)[1][:3]}"  # a user for each way of checking
    user_id = wordpress.user_id(name) or wordpress.php(
        f"echo wp_insert_user(['user_login' => {php_str(name)}, 'user_pass' => "
        f"{php_str(PASSWORD)}, 'role' => 'subscriber']);"
    )
    assert str(user_id).isdigit(), user_id
    stored = wordpress.sql("SELECT user_login FROM {prefix}users WHERE ID = %s", [int(user_id)])
    session = wordpress.login(stored[0][0], PASSWORD)
    cookie_name, value = wordpress.logged_in_cookie(session)
    answer = client.get(read, headers={"Cookie": f"{cookie_name}={value}"})
    assert answer.status_code == 200


def test_a_cookie_may_carry_its_space_and_bars_unencoded(client, wordpress, login, read):
    """PHP reads the Cookie header itself (rawurldecode): a literal space or '|' is taken as
    it is; a '+' stays a '+', so a login's space written as '+' is another login."""
    _, _, cookie = login("cookie literal")
    name, value = cookie.split("=", 1)
    literal = f"{name}={urllib.parse.unquote(value)}"
    assert " " in literal and "|" in literal
    assert client.get(read, headers={"Cookie": literal}).status_code == 200
    plus = f"{name}={value.replace('%20', '+')}"
    assert client.get(read, headers={"Cookie": plus}).status_code == 401


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        ("a=x+y", {b"a": b"x+y"}),  # rawurldecode: '+' stays '+'
        ("a=x%20y; a=z", {b"a": b"x y"}),  # the first of two wins
        ("a=%zz%4%", {b"a": b"%zz%4%"}),  # a bad escape stays as written
        ("a%20b=1; c.d e=2", {b"a%20b": b"1", b"c_d_e": b"2"}),  # names: not decoded, mangled
        ("a=1, b=2", {b"a": b"1, b=2"}),  # only ';' separates
        ("a; =x;\t b=2", {b"a": b"", b"b": b"2"}),
        ("..Host-x=1; __Host-y=2", {b"__Host-y": b"2"}),
    ],
)
def test_the_cookie_header_is_read_as_php_8_2_reads_it(header, cookies):
    """Examples checked against PHP 8.2; tests/test_login_parity.py checks many more."""
    assert php_request.php_cookies(header) == cookies


def test_the_hmac_covers_the_expiration_as_written():
    hash_, salt, login, expiration, token, mac = VECTOR_68
    frag = auth.pass_frag(hash_)
    assert auth.cookie_hmac(salt, login, frag, str(expiration), token) == mac
    assert auth.cookie_hmac(salt, login, frag, f"0{expiration}", token) != mac


# -- REST nonces ---------------------------------------------------------------------------


@pytest.fixture
def nonce_user(client, wordpress, login):
    upsert_space(client, SPACE, "Pizzeria Napoli", [])
    user_id, session, cookie = login("nonce.user")
    return user_id, session, cookie


def _read(client, cookie, nonce=None, **kwargs):
    headers = {"Cookie": cookie}
    if nonce is not None:
        headers["X-WP-Nonce"] = nonce
    return client.post(f"/api/v1/me/spaces/{SPACE}/read", headers=headers, **kwargs)


def test_a_nonce_from_admin_ajax_is_accepted_on_writes(client, wordpress, nonce_user):
    _, session, cookie = nonce_user
    assert _read(client, cookie, wordpress.rest_nonce(session)).status_code == 204


def test_the_nonce_may_come_as_wpnonce_parameter(client, wordpress, nonce_user):
    _, session, cookie = nonce_user
    nonce = wordpress.rest_nonce(session)
    assert _read(client, cookie, query_string={"_wpnonce": nonce}).status_code == 204


@pytest.mark.parametrize("nonce", [None, "", "0000000000", "not-a-nonce", "x" * 500])
def test_a_write_without_a_good_nonce_is_forbidden(client, nonce_user, nonce):
    _, _, cookie = nonce_user
    answer = _read(client, cookie, nonce)
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "invalid_nonce"


def test_another_users_nonce_is_forbidden(client, wordpress, nonce_user, people):
    _, _, cookie = nonce_user
    assert _read(client, cookie, people["member"].nonce).status_code == 403


def test_a_nonce_of_another_session_of_the_same_user_is_forbidden(
    client, wordpress, nonce_user, login
):
    _, _, cookie = nonce_user
    _, other_session, _ = login("nonce.user")
    assert _read(client, cookie, wordpress.rest_nonce(other_session)).status_code == 403


def _nonce_at(wordpress, user_id: int, cookie: str, ticks_ago: int) -> str:
    """Have WordPress compute the wp_rest nonce of this session some ticks ago."""
    token = cookie.split("=", 1)[1].split("%7C")[2]
    return wordpress.php(
        f"""
        $i = wp_nonce_tick() - {ticks_ago};
        $data = $i . '|wp_rest|' . {user_id} . '|' . {php_str(token)};
        echo substr(wp_hash($data, 'nonce'), -12, 10);
        """
    ).strip()


def test_the_previous_ticks_nonce_is_accepted(client, wordpress, nonce_user):
    user_id, _, cookie = nonce_user
    assert _read(client, cookie, _nonce_at(wordpress, user_id, cookie, 1)).status_code == 204


def test_an_old_nonce_is_forbidden(client, wordpress, nonce_user):
    user_id, _, cookie = nonce_user
    assert _read(client, cookie, _nonce_at(wordpress, user_id, cookie, 2)).status_code == 403


def test_reads_need_no_nonce(client, nonce_user, read):
    _, _, cookie = nonce_user
    assert client.get(read, headers={"Cookie": cookie}).status_code == 200


def test_a_nonce_without_a_cookie_is_not_a_login(client, people):
    answer = client.post(
        f"/api/v1/me/spaces/{SPACE}/read", headers={"X-WP-Nonce": people["member"].nonce}
    )
    assert answer.status_code == 401


# -- WordPress 6.8+ password hashes ----------------------------------------------------------

#: wp_hash_password() and the cookie branch of WordPress 6.8+ (pluggable.php), in PHP.
PHP_68 = """
$password = 'hunter2 but longer';
$hash = '$wp' . password_hash(
    base64_encode(hash_hmac('sha384', trim($password), 'wp-sha384', true)), PASSWORD_BCRYPT);
$salt = 'k3y-%s' . 's4lt-%s';
$login = 'six.eight'; $expiration = 1900000000;
$token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg';
$pass_frag = (str_starts_with($hash, '$P$') || str_starts_with($hash, '$2y$'))
    ? substr($hash, 8, 4) : substr($hash, -4);
$key = hash_hmac('md5', $login . '|' . $pass_frag . '|' . $expiration . '|' . $token, $salt);
$mac = hash_hmac('sha256', $login . '|' . $expiration . '|' . $token, $key);
echo json_encode([$hash, $salt, $login, $expiration, $token, $mac]);
"""

#: A vector that code produced (PHP 8.2), kept so that the unit test needs no PHP.
VECTOR_68 = (
    "$wp$2y$10$lUPMNrYdboBMSMjOe/MJ7emJtHcHCxKih8D5PDYnhn8/fZ4HaYqJC",
    "k3y-%ss4lt-%s",
    "six.eight",
    1900000000,
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg",
    "13ea68e27282d61112d301291e3869365b4746065b86ac82757c5eaa5d7b7adb",
)


def test_wp68_vector():
    hash_, salt, login, expiration, token, mac = VECTOR_68
    assert auth.pass_frag(hash_) == hash_[-4:]
    assert auth.cookie_hmac(salt, login, auth.pass_frag(hash_), expiration, token) == mac


def test_older_hashes_bind_the_cookie_to_characters_8_to_11():
    assert auth.pass_frag("$P$BabcdefghIJKLmnop") == "efgh"
    assert auth.pass_frag("$2y$10$abcdefghijkl") == "bcde"


def test_wp68_cookie_vector_from_php(wordpress):
    hash_, salt, login, expiration, token, mac = json.loads(wordpress.php(PHP_68))
    assert hash_.startswith("$wp$2y$")
    assert auth.cookie_hmac(salt, login, auth.pass_frag(hash_), expiration, token) == mac
    # The 6.1 rule (chars 8..11) would give another hmac: the branch matters.
    assert auth.cookie_hmac(salt, login, hash_[8:12], expiration, token) != mac


def test_a_wp68_user_is_accepted_end_to_end(client, wordpress, login):
    """A user whose stored hash has the 6.8 '$wp$' form, with a cookie made by 6.8's rule."""
    user_id, _, _ = login("six.eight")
    new_hash = wordpress.php(
        "echo '$wp' . password_hash(base64_encode(hash_hmac('sha384', 'pw68', 'wp-sha384', "
        "true)), PASSWORD_BCRYPT);"
    ).strip()
    wordpress.sql("UPDATE {prefix}users SET user_pass = %s WHERE ID = %s", [new_hash, user_id])
    value = wordpress.php(
        f"""
        $token = WP_Session_Tokens::get_instance({user_id})->create(time() + 3600);
        $expiration = time() + 3600; $login = 'six.eight';
        $frag = substr({php_str(new_hash)}, -4);
        $key = wp_hash($login . '|' . $frag . '|' . $expiration . '|' . $token, 'logged_in');
        echo $login . '|' . $expiration . '|' . $token . '|'
            . hash_hmac('sha256', $login . '|' . $expiration . '|' . $token, $key);
        """
    ).strip()
    name = "wordpress_logged_in_" + hashlib.md5(wordpress.url.encode()).hexdigest()
    answer = client.get(SUMMARY, headers={"Cookie": f"{name}={value.replace('|', '%7C')}"})
    assert answer.status_code == 200


def test_rest_nonce_formula_matches_php(wordpress):
    """Cross-check of the port: same inputs, same nonce as wp_hash() in PHP."""
    user = auth.WpUser(7, "x", "tok")
    php = wordpress.php("echo substr(wp_hash('12345|wp_rest|7|tok', 'nonce'), -12, 10);").strip()
    salt = wordpress.php("echo wp_salt('nonce');")
    assert auth.rest_nonce(salt, user, 12345) == php


# -- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "role", "php_after", "expected"),
    [
        ("role.admin", "administrator", "", True),
        ("role.editor", "editor", "", False),
        ("role.subscriber", "subscriber", "", False),
        ("role.granted", "subscriber", "$u->add_cap('manage_options');", True),
        ("role.denied", "administrator", "$u->add_cap('manage_options', false);", False),
        ("role.none", "subscriber", "$u->set_role('');", False),
    ],
)
def test_site_administrators_are_read_from_capabilities(
    app, wordpress, login, role, php_after, expected
):
    """The bridge's answer equals WordPress' own user_can($user, 'manage_options')."""
    user_id = wordpress.user_id(login) or wordpress.create_user(login, PASSWORD, role=role)
    said = wordpress.php(
        f"$u = new WP_User({user_id}); {php_after} $u = new WP_User({user_id});"
        "echo user_can($u, 'manage_options') ? 'yes' : 'no';"
    ).strip()
    assert said == ("yes" if expected else "no")
    with app.app_context():
        session = get_session()
        with session.begin():
            assert (
                auth.is_site_administrator(session, user_id, app.config["TABLE_PREFIX"]) is expected
            )
