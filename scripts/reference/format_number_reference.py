"""Independent reference of analyzers/report/format-number.ts: the same written rules, with
Python's exact decimal arithmetic instead of JavaScript's toFixed/toPrecision.

usage: python3 format_number_reference.py < cases.json   (a JSON list of [x, quantity])
prints a JSON list of strings. Rounding is half away from zero on the exact binary value, as
ECMAScript's toFixed/toPrecision do; the minus is typographic, digit groups a narrow no-break space.
"""
import json
import sys
from decimal import Decimal, ROUND_HALF_UP

THIN = '\u202f'
SUP = str.maketrans('-0123456789', '⁻⁰¹²³⁴⁵⁶⁷⁸⁹')


def trim(s):
    return s.rstrip('0').rstrip('.') if '.' in s else s


def group(s):
    neg = s.startswith('-')
    body = s[1:] if neg else s
    head, dot, tail = body.partition('.')
    if len(head) >= 5:
        parts = []
        while len(head) > 3:
            parts.insert(0, head[-3:])
            head = head[:-3]
        parts.insert(0, head)
        head = THIN.join(parts)
    return ('-' if neg else '') + head + dot + tail


def sci(x, digits):
    d = Decimal(x)
    exp = d.adjusted()
    mant = (d.scaleb(-exp)).quantize(Decimal(1).scaleb(-(digits - 1)), ROUND_HALF_UP)
    if abs(mant) >= 10:  # rounding carried into the next power
        mant, exp = (mant / 10).quantize(Decimal(1).scaleb(-(digits - 1)), ROUND_HALF_UP), exp + 1
    return f"{trim(str(mant))} × 10{str(exp).translate(SUP)}"


def fixed(x, decimals):
    a = abs(x)
    if a >= 1e6:
        return sci(x, 4)
    int_digits = 1 if a < 1 else len(str(int(a)))
    d = max(0, min(decimals, 6 - int_digits))
    s = format(Decimal(x).quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP), 'f')
    s = trim(s)
    return '0' if s in ('-0', '0') else s


def significant(x, digits):
    if x == 0:
        return '0'
    a = abs(x)
    if a < 1e-3 or a >= 1e6:
        return sci(x, min(digits, 3))
    d = Decimal(x)
    q = Decimal(1).scaleb(d.adjusted() - digits + 1)
    return trim(format(d.quantize(q, ROUND_HALF_UP), 'f'))


def bare(x, q):
    if q == 'length':
        s = group(fixed(x, 2))
    elif q == 'area':
        s = group(fixed(x, 1))
    elif q == 'volume':
        s = group(fixed(x, 0))
    elif q in ('correlation', 'fraction'):
        s = fixed(x, 3)
    elif q == 'real':
        s = group(str(int(x))) if x == int(x) and abs(x) < 1e6 else group(significant(x, 4))
    else:
        raise ValueError(q)
    return s.replace('-', '−', 1) if s.startswith('-') else s


print(json.dumps([bare(x, q) for x, q in json.load(sys.stdin)], ensure_ascii=False))
