"""The request as PHP reads it: ``$_COOKIE``, ``$_GET``, ``$_POST`` and the slashes
WordPress adds to them, ported from PHP 8.2 and WordPress, so that the bridge reads the
logged-in cookie and the REST nonce from exactly the bytes WordPress checks
(:mod:`bridge.wordpress.auth` then checks them)."""

from __future__ import annotations

import re

from bridge.wordpress.auth import raw_text

#: PHP's defaults (php.ini-production and -development keep them) for ``max_input_vars``,
#: ``max_input_nesting_level`` and ``arg_separator.input``.
MAX_INPUT_VARS = 1000
MAX_INPUT_NESTING_LEVEL = 64
ARG_SEPARATOR = b"&"
#: ``isspace()`` in the C locale.
C_SPACE = b" \t\n\x0b\x0c\r"
_LONG_MAX = 2**63 - 1
_HEX_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
_NUMERIC_KEY = re.compile(rb"-?[1-9][0-9]*|0")


def php_raw_url_decode(data: bytes) -> bytes:
    """PHP's ``php_raw_url_decode()`` (ext/standard/url.c): ``%XX`` with two hex digits is
    the byte, any other ``%`` stays as it is, and so does ``+``."""
    return _HEX_ESCAPE.sub(lambda m: bytes((int(m[1], 16),)), data)


def php_url_decode(data: bytes) -> bytes:
    """PHP's ``php_url_decode()`` (ext/standard/url.c): as :func:`php_raw_url_decode`, and
    ``+`` is a space."""
    return php_raw_url_decode(data.replace(b"+", b" "))


def wsgi_bytes(text: str) -> bytes:
    """The bytes of a header or query string as the client sent them.

    WSGI hands them over as latin-1 text (PEP 3333); text beyond latin-1, which only a test
    client can hand over, is taken as UTF-8.
    """
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


class PhpArray(dict):
    """A PHP array as ``$_COOKIE``, ``$_GET`` and ``$_POST`` hold them: keys are ``int`` or
    ``bytes``, values ``bytes`` or another :class:`PhpArray`, in PHP's order."""

    def __init__(self) -> None:
        super().__init__()
        self.next_free: int | None = None  # nNextFreeElement; None: nothing numbered yet

    @staticmethod
    def key(index: bytes) -> int | bytes:
        """PHP's ``ZEND_HANDLE_NUMERIC_STR()``: a decimal integer key (no leading zero, no
        "-0", within a zend_long) is an int; any other a string."""
        if len(index) <= 20 and _NUMERIC_KEY.fullmatch(index):
            number = int(index)
            if -_LONG_MAX - 1 <= number <= _LONG_MAX:
                return number
        return index

    def update_key(self, key: int | bytes, value) -> None:
        """``zend_hash_update()``: replace in place, or append."""
        if isinstance(key, int) and (self.next_free is None or key >= self.next_free):
            self.next_free = key + 1 if key < _LONG_MAX else _LONG_MAX
        self[key] = value

    def append(self, value) -> bool:
        """``zend_hash_next_index_insert()``; False when PHP has no next index to give."""
        key = 0 if self.next_free is None else self.next_free
        if key in self:
            return False
        self.update_key(key, value)
        return True


def php_register_variable(track: PhpArray, name: bytes, value: bytes, *, cookie: bool) -> None:
    """Store one input variable as PHP's ``php_register_variable_ex()`` (main/php_variables.c,
    PHP 8.2) does.

    Leading spaces of the name are dropped; ' ' and '.' become '_' up to the first '['; a
    name that this mangling made start with ``__Host-`` or ``__Secure-`` is dropped (since
    8.0.24/8.1.11, CVE-2022-31629), and so is an empty one. ``name[a][]`` builds arrays (a
    space right after '[' is skipped; ``[]`` appends); a '[' without its ']' becomes '_',
    with ' ', '.' and '[' after it. Deeper than ``max_input_nesting_level`` drops the whole
    variable. In ``$_COOKIE`` a plain name already there keeps its first value; elsewhere
    the last one wins.
    """
    name = name.split(b"\0", 1)[0].lstrip(b" ")  # a C string
    bracket = name.find(b"[")
    var = (name if bracket < 0 else name[:bracket]).replace(b" ", b"_").replace(b".", b"_")
    for prefix in (b"__Host-", b"__Secure-"):
        if var.startswith(prefix) and not name.startswith(prefix):
            return
    if not var:
        return
    table, index = track, var
    if bracket >= 0:
        buf = bytearray(var + name[bracket:])
        ip, level = bracket, 0
        while True:
            level += 1
            if level > MAX_INPUT_NESTING_LEVEL:
                track.pop(PhpArray.key(var), None)
                return
            ip += 1
            start = ip
            if ip < len(buf) and buf[ip] in C_SPACE:
                ip += 1
            if ip < len(buf) and buf[ip] == ord("]"):
                new_index = None
            else:
                ip = buf.find(b"]", ip)
                if ip < 0:
                    # Not an index: the '[' and what follows belong to the name.
                    buf[start - 1] = ord("_")
                    for j in range(start, len(buf)):
                        if buf[j] in b" .[":
                            buf[j] = ord("_")
                    if table is track:
                        index = bytes(buf)
                    break
                new_index = bytes(buf[start:ip])
            if index is None:
                child = PhpArray()
                if not table.append(child):
                    return
            else:
                key = PhpArray.key(index)
                child = table.get(key)
                if not isinstance(child, PhpArray):
                    child = PhpArray()
                    table.update_key(key, child)
            table, index = child, new_index
            ip += 1
            if ip >= len(buf) or buf[ip] != ord("["):
                break
    if index is None:
        table.append(value)
    elif not (cookie and table is track and PhpArray.key(index) in table):
        table.update_key(PhpArray.key(index), value)


def php_cookies(header: str | bytes | None) -> PhpArray:
    """Return ``$_COOKIE`` as PHP 8.2 fills it from a Cookie header.

    A port of ``php_default_treat_data()`` for ``PARSE_COOKIE`` (main/php_variables.c) with
    ``php_register_variable_ex()`` and ``php_raw_url_decode()``: the header ends at a NUL
    byte; pairs are split at ';' only (a ',' is data); whitespace (C ``isspace``) before a
    name is skipped, and a pair whose name is then empty is ignored; after the first
    ``max_input_vars`` pairs the rest are ignored; a pair without '=' has the value "";
    the name is not decoded (since PHP 7.4.11, CVE-2020-7070), the value is
    ``rawurldecode``d (since 7.4.3): ``%XX`` is a byte, '+' stays '+', an invalid escape
    stays as written; the first of two cookies of the same name wins. PHP's ``setcookie()``
    writes values with ``rawurlencode()``: a space as %20.

    :param header: the header as WSGI hands it over (latin-1 text), or its bytes.
    """
    data = wsgi_bytes(header) if isinstance(header, str) else header or b""
    cookies = PhpArray()
    count = 0
    for pair in data.split(b"\0", 1)[0].split(b";"):
        pair = pair.lstrip(C_SPACE)
        if not pair or pair.startswith(b"="):
            continue
        count += 1
        if count > MAX_INPUT_VARS:
            break
        name, eq, value = pair.partition(b"=")
        php_register_variable(cookies, name, php_raw_url_decode(value) if eq else b"", cookie=True)
    return cookies


def php_query(query: str | bytes | None) -> PhpArray:
    """Return ``$_GET`` as PHP 8.2 fills it from a query string (``php_default_treat_data()``
    for ``PARSE_GET``): pairs split at ``arg_separator.input`` ('&'), names and values
    ``urldecode``d ('+' is a space), the last of two of the same name wins."""
    data = wsgi_bytes(query) if isinstance(query, str) else query or b""
    found = PhpArray()
    count = 0
    for pair in data.split(b"\0", 1)[0].split(ARG_SEPARATOR):
        if not pair:
            continue
        count += 1
        if count > MAX_INPUT_VARS:
            break
        name, eq, value = pair.partition(b"=")
        php_register_variable(found, php_url_decode(name), php_url_decode(value), cookie=False)
    return found


def php_form(body: bytes) -> PhpArray:
    """Return ``$_POST`` as PHP 8.2 fills it from an ``application/x-www-form-urlencoded``
    body (``php_std_post_handler()``): as :func:`php_query`, split at '&' only, and the
    pair that goes beyond ``max_input_vars`` is the last one kept."""
    found = PhpArray()
    for count, pair in enumerate(body.split(b"&"), 1):
        name, eq, value = pair.partition(b"=")
        php_register_variable(found, php_url_decode(name), php_url_decode(value), cookie=False)
        if count > MAX_INPUT_VARS:
            break
    return found


def addslashes(data: bytes) -> bytes:
    r"""PHP's ``addslashes()``: a backslash before ', ", \ and NUL (which becomes \0)."""
    return re.sub(rb"['\"\\]", rb"\\\g<0>", data).replace(b"\0", b"\\0")


def logged_in_value(header: str | bytes | None, name: str) -> str | None:
    """Return the logged-in cookie WordPress checks, as :func:`raw_text`, or None.

    That is ``$_COOKIE[$name]`` (:func:`php_cookies`) with the slashes ``wp_magic_quotes()``
    adds before any login is checked. None when it is absent or ``empty()`` ("" or "0"),
    or an array (``wp_parse_auth_cookie()`` then ends in a TypeError of ``explode()``: no
    login either).
    """
    value = php_cookies(header).get(PhpArray.key(name.encode()))
    if not isinstance(value, bytes) or value in (b"", b"0"):
        return None
    return raw_text(addslashes(value))


def is_form_post(request) -> bool:
    """Whether PHP fills ``$_POST`` from this request's body: a POST whose Content-Type,
    lower-cased up to the first ';', ',' or ' ' (``sapi_read_post_data()``), is
    ``application/x-www-form-urlencoded``. (A multipart form is not read here.)"""
    if request.method != "POST":
        return False
    content_type = re.split(r"[;, ]", request.headers.get("Content-Type", ""), maxsplit=1)[0]
    return content_type.lower() == "application/x-www-form-urlencoded"


def request_nonce(
    query: str | bytes | None, header: str | None, form: bytes | None = None
) -> bytes | None:
    """Return the nonce ``rest_cookie_check_errors()`` checks, as bytes, or None for none.

    ``$_REQUEST['_wpnonce']`` when it is set, else the X-WP-Nonce header
    (``$_SERVER['HTTP_X_WP_NONCE']``). ``wp_magic_quotes()`` makes ``$_REQUEST``
    ``array_merge($_GET, $_POST)``, whatever PHP's ``request_order``: the form's
    ``_wpnonce`` wins over the query's; an array is "Array" to ``wp_verify_nonce()``'s
    ``(string)``; and it adds slashes to all of them.

    :param query: the raw query string.
    :param header: the X-WP-Nonce header as WSGI hands it over, or None.
    :param form: the body of a POST of ``application/x-www-form-urlencoded``, else None.
    """
    for source in (php_form(form) if form is not None else PhpArray(), php_query(query)):
        value = source.get(b"_wpnonce")
        if value is not None:
            return addslashes(b"Array" if isinstance(value, PhpArray) else value)
    return None if header is None else addslashes(wsgi_bytes(header))
