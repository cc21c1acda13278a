// Eval functions: each function on hand-computed cases (Splunk's documented
// examples where they exist, cited as "doc:"), null and wrong-typed
// arguments, literals refused at parse time, and a few whole searches.
// Digests are the published test vectors (FIPS 180 / RFC 1321) or Python's
// hashlib; times were computed by hand from the epoch.
#include "core/search/eval_functions.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>

#include "core/index/store.hpp"
#include "core/search/eval.hpp"
#include "core/search/parser.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"
#include "search/search_fixture.hpp"

using namespace kura;
using namespace kura::search;

namespace {

value ev(const std::string& text, const row& r = {}) {
  auto e = parse_expression(text);
  REQUIRE_MESSAGE(e.has_value(), text << ": " << e.err().message());
  return evaluate(*e, r);
}

/// The text of a result, or "<null>".
std::string s(const std::string& text, const row& r = {}) {
  auto v = ev(text, r);
  return v.is_null() ? "<null>" : v.as_string();
}

std::string parse_error(const std::string& text) {
  auto e = parse_expression(text);
  REQUIRE_MESSAGE(!e.has_value(), text);
  return e.err().message();
}

row fields(std::initializer_list<std::pair<const char*, value>> kv) {
  return testing::make_row(kv);
}

using testing::str;

double now_seconds() {
  return double(std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count()) /
         1e6;
}

}  // namespace

TEST_CASE(
    "eval functions: the registry answers names case-insensitively and checks arity with the "
    "position") {
  CHECK(find_eval_function("strftime") != nullptr);
  CHECK(find_eval_function("IF") == find_eval_function("if"));
  CHECK(find_eval_function("frob") == nullptr);
  CHECK(s("IF(1 == 1, \"a\", \"b\")") == "a");
  CHECK(s("Upper(\"x\")") == "X");
  CHECK(parse_error("1 + frob(2)") == "unknown function \"frob\" at 1:5");
  CHECK(parse_error("mvindex(x)") ==
        "wrong number of arguments to mvindex() (expected 2 to 3, got 1) at 1:1");
  CHECK(parse_error("pi(1)") == "wrong number of arguments to pi() (expected 0, got 1) at 1:1");
  CHECK(parse_error("x . coalesce()") ==
        "wrong number of arguments to coalesce() (expected at least 1, got 0) at 1:5");
  CHECK(parse_error("case(1, 2, 3)").find("pairs") != std::string::npos);
  CHECK(parse_error("validate(1, 2, 3)").find("at 1:1") != std::string::npos);
}

TEST_CASE("eval functions: conditions and comparisons") {
  auto r = fields({{"status", value{"500"}}, {"x", value{-1.0}}});
  CHECK(s("if(status == 500, \"err\", \"ok\")", r) == "err");
  CHECK(s("case(status == 404, \"nf\", status == 500, \"err\")", r) == "err");
  CHECK(s("case(status == 404, \"nf\")", r) == "<null>");
  CHECK(s("case(status == 404, \"nf\", true(), \"other\")", r) ==
        "other");  // doc: true() as the default
  CHECK(s("coalesce(nosuch, null(), \"b\", \"c\")") == "b");
  CHECK(s("nullif(\"a\", \"a\")") == "<null>");
  CHECK(s("nullif(\"a\", \"b\")") == "a");
  CHECK(s("nullif(status, 500)", r) == "<null>");  // numeric equality, as eval's =
  CHECK(s("if(true(), \"y\", \"n\")") == "y");
  CHECK(s("if(false(), \"y\", \"n\")") == "n");
  // validate: the message of the first condition that is false; null when all hold.
  CHECK(s("validate(x >= 0, \"negative\", x < 100, \"too big\")", r) == "negative");
  CHECK(s("validate(x < 0, \"negative\", x > 5, \"small\")", r) == "small");
  CHECK(s("validate(x < 0, \"negative\")", r) == "<null>");
  // doc: in(status, "error", "failure", "severe")
  CHECK(s("in(status, \"404\", \"500\", \"503\")", r) == "1");
  CHECK(s("in(status, 200, 500)", r) == "1");
  CHECK(s("in(status, \"200\")", r) == "0");
  CHECK(s("in(nosuch, \"200\")", r) == "0");
  CHECK(s("in(mv, \"b\")", fields({{"mv", value::multi({"a", "b"})}})) == "1");
}

TEST_CASE("eval functions: like, match, cidrmatch and searchmatch") {
  CHECK(s("like(\"foobar\", \"foo%\")") == "1");
  CHECK(s("like(\"foobar\", \"f_o%r\")") == "1");
  CHECK(s("like(\"foobar\", \"foo\")") == "0");   // the whole text must match
  CHECK(s("like(\"FOO\", \"foo\")") == "0");      // case-sensitive
  CHECK(s("like(\"héllo\", \"h_llo\")") == "1");  // _ is one character, not one byte
  CHECK(s("like(nosuch, \"%\")") == "0");
  CHECK(s(R"(match("abc123", "\d+$"))") == "1");
  CHECK(s(R"(match("abc", "^\d"))") == "0");
  CHECK(s(R"(match(p, "^b"))", fields({{"p", value::multi({"a", "bc"})}})) == "1");
  // A regex from a field that does not compile gives null, not a failed search.
  CHECK(s("match(\"a\", re)", fields({{"re", value{"("}}})) == "<null>");
  CHECK(parse_error("match(x, \"(\")").find("match(): invalid regular expression \"(\"") == 0);
  CHECK(parse_error("match(x, \"a(?=b)\")").find("at 1:1") !=
        std::string::npos);  // RE2 has no lookahead

  // doc: cidrmatch("123.132.32.0/25", ip)
  CHECK(s("cidrmatch(\"123.132.32.0/25\", \"123.132.32.127\")") == "1");
  CHECK(s("cidrmatch(\"123.132.32.0/25\", \"123.132.32.128\")") == "0");
  CHECK(s("cidrmatch(\"10.0.0.0/8\", \"10.255.1.2\")") == "1");
  CHECK(s("cidrmatch(\"0.0.0.0/0\", \"8.8.8.8\")") == "1");
  CHECK(s("cidrmatch(\"192.168.1.7\", \"192.168.1.7\")") == "1");
  CHECK(s("cidrmatch(\"2001:db8::/32\", \"2001:db8:1::1\")") == "1");
  CHECK(s("cidrmatch(\"2001:db8::/32\", \"2001:db9::1\")") == "0");
  CHECK(s("cidrmatch(\"fe80::/10\", \"febf::1\")") == "1");
  CHECK(s("cidrmatch(\"fe80::/10\", \"fec0::1\")") == "0");
  CHECK(s("cidrmatch(\"10.0.0.0/8\", \"::ffff:10.0.0.1\")") == "0");  // families differ
  CHECK(s("cidrmatch(\"10.0.0.0/8\", \"10.0.0\")") == "0");
  CHECK(s("cidrmatch(\"10.0.0.0/8\", \"not an ip\")") == "0");
  CHECK(s("cidrmatch(\"10.0.0.0/8\", nosuch)") == "0");
  CHECK(s("cidrmatch(block, \"10.0.0.1\")", fields({{"block", value{"10.0.0.0/99"}}})) == "0");
  CHECK(parse_error("cidrmatch(\"10.0.0.0/33\", ip)").find("cidrmatch(): invalid CIDR block") == 0);
  CHECK(parse_error("cidrmatch(\"10.0.0/8\", ip)").find("at 1:1") != std::string::npos);
  CHECK(parse_error("cidrmatch(\"10.0.0.0/\", ip)").find("invalid CIDR") != std::string::npos);

  auto ev_row = fields({{"_raw", value{"GET /index.html status=200 user=alice"}},
                        {"status", value{"200"}},
                        {"user", value{"alice"}}});
  CHECK(s("searchmatch(\"index.html user=alice\")", ev_row) == "1");
  CHECK(s("searchmatch(\"status>=500 OR user=bob\")", ev_row) == "0");
  CHECK(s("searchmatch(\"GET NOT status=404\")", ev_row) == "1");
  CHECK(parse_error("searchmatch(x)").find("quoted search") != std::string::npos);
  CHECK(parse_error("searchmatch(\"a | stats count\")").find("searchmatch(): invalid search") == 0);
  CHECK(parse_error("searchmatch(\"(a\")").find("at 1:1") != std::string::npos);
  auto e = parse_expression("searchmatch(\"error user=bob\")");
  REQUIRE(e.has_value());
  auto implicit = implicit_call_fields(*e);
  CHECK(std::find(implicit.begin(), implicit.end(), "_raw") != implicit.end());
  CHECK(std::find(implicit.begin(), implicit.end(), "user") != implicit.end());
}

TEST_CASE("eval functions: types and nulls") {
  // doc: typeof(12) + typeof("string") + typeof(1==2) + typeof(badfield)
  CHECK(s("typeof(12) . typeof(\"string\") . typeof(1==2) . typeof(badfield)") ==
        "NumberStringBooleanInvalid");
  CHECK(s("typeof(mv)", fields({{"mv", value::multi({"a", "b"})}})) == "Multivalue");
  auto r = fields({{"status", value{"404"}}, {"user", value{"bob"}}});
  CHECK(s("isnum(status)", r) == "1");  // event field text that reads as a number is a number
  CHECK(s("isnum(user)", r) == "0");
  CHECK(s("isnum(\"5\")") == "0");  // a string literal is a string
  CHECK(s("isnum(5)") == "1");
  CHECK(s("isstr(user)", r) == "1");
  CHECK(s("isstr(\"5\")") == "1");
  CHECK(s("isstr(5)") == "0");
  CHECK(s("isnum(nosuch)") == "0");
  CHECK(s("isstr(nosuch)") == "0");
  CHECK(s("isnull(nosuch)") == "1");
  CHECK(s("isnull(null())") == "1");
  CHECK(s("isnotnull(user)", r) == "1");
  CHECK(s("isnotnull(nosuch)") == "0");
}

TEST_CASE("eval functions: text") {
  CHECK(s("len(\"héllo\")") == "5");
  CHECK(s("len(nosuch)") == "<null>");
  CHECK(s("substr(\"héllo\", 2, 2)") == "él");
  CHECK(s("substr(\"splunk\", -3)") == "unk");    // doc: substr("splunk", -3) is "unk"
  CHECK(s("substr(\"splunk\", 1, 3)") == "spl");  // doc
  CHECK(s("lower(\"ABC\") . upper(\"def\")") == "abcDEF");
  // doc: trim("   ZZZZabcZZ ", " Z") is "abc"; ltrim gives "abcZZ "; rtrim gives "   ZZZZabc".
  CHECK(s("trim(\"   ZZZZabcZZ \", \" Z\")") == "abc");
  CHECK(s("ltrim(\"   ZZZZabcZZ \", \" Z\")") == "abcZZ ");
  CHECK(s("rtrim(\"   ZZZZabcZZ \", \" Z\")") == "   ZZZZabc");
  CHECK(s("trim(\" \tx y \")") == "x y");
  CHECK(s("trim(\"ZZZ\", \"Z\")") == "");
  // doc: replace(date, "^(\d{1,2})/(\d{1,2})/", "\2/\1/") swaps day and month.
  CHECK(s(R"(replace("1/14/2017", "^(\d{1,2})/(\d{1,2})/", "\2/\1/"))") == "14/1/2017");
  CHECK(s(R"(replace("aaa", "a", "b"))") == "bbb");
  CHECK(s(R"(replace("a.b.c", "\.", ""))") == "abc");
  CHECK(s(R"(replace(nosuch, "a", "b"))") == "<null>");
  CHECK(s(R"(replace("ab", re, "x"))", fields({{"re", value{"[a"}}})) == "<null>");
  CHECK(parse_error(R"(replace(x, "[a", "b"))").find("replace(): invalid regular expression") == 0);
  CHECK(parse_error(R"x(replace(x, "(a)", "\2"))x").find("replace(): invalid replacement") == 0);
  // doc: urldecode("http%3A%2F%2Fwww.splunk.com%2Fdownload%3Fr%3Dheader")
  CHECK(s("urldecode(\"http%3A%2F%2Fwww.splunk.com%2Fdownload%3Fr%3Dheader\")") ==
        "http://www.splunk.com/download?r=header");
  CHECK(s("urldecode(\"a+b%20c%zz%\")") == "a b c%zz%");
  CHECK(s("md5(\"abc\")") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(s("md5(\"\")") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(s("sha1(\"abc\")") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(s("sha256(\"abc\")") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(s("sha256(nosuch)") == "<null>");
}

TEST_CASE("eval functions: conversion, tostring and printf") {
  CHECK(s("tonumber(\"0A4\", 16)") == "164");  // doc
  CHECK(s("tonumber(\"12.5\") + 1") == "13.5");
  CHECK(s("tonumber(\"abc\")") == "<null>");
  CHECK(s("tonumber(\"101\", 2)") == "5");
  CHECK(s("tonumber(\"12\", 1)") == "<null>");
  CHECK(s("tostring(12345.6789, \"commas\")") == "12,345.68");  // doc
  CHECK(s("tostring(1234567, \"commas\")") == "1,234,567");
  CHECK(s("tostring(-1234, \"commas\")") == "-1,234");
  CHECK(s("tostring(999, \"commas\")") == "999");
  CHECK(s("tostring(15, \"hex\")") == "0xF");             // doc
  CHECK(s("tostring(615, \"duration\")") == "00:10:15");  // doc
  CHECK(s("tostring(90061, \"duration\")") == "1+01:01:01");
  CHECK(s("tostring(3.25, \"duration\")") == "00:00:03.25");
  CHECK(s("tostring(-61, \"duration\")") == "-00:01:01");
  CHECK(s("tostring(1 == 1)") == "True");
  CHECK(s("tostring(1 > 2)") == "False");
  CHECK(s("tostring(3) . \"\"") == "3");
  CHECK(s("tostring(\"abc\", \"hex\")") == "abc");
  CHECK(parse_error("tostring(1, \"bytes\")").find("tostring(): unknown format \"bytes\"") == 0);

  // doc: printf("%c,%c",65,"Foo") returns A,F
  CHECK(s("printf(\"%c,%c\", 65, \"Foo\")") == "A,F");
  CHECK(s("printf(\"%04d\", 56)") == "0056");
  CHECK(s("printf(\"%d|%i\", 3.9, -3.9)") == "3|-3");
  CHECK(s("printf(\"%'d\", 12345678)") == "12,345,678");
  CHECK(s("printf(\"%'.2f\", 1234567.891)") == "1,234,567.89");
  CHECK(s("printf(\"%+.2f\", 3.14159)") == "+3.14");
  CHECK(s("printf(\"%5.1f|\", 3.14159)") == "  3.1|");
  CHECK(s("printf(\"%-5s|%5s\", \"ab\", \"cd\")") == "ab   |   cd");
  CHECK(s("printf(\"%.3s\", \"abcdef\")") == "abc");
  CHECK(s("printf(\"%x %X %#x %o\", 255, 255, 255, 8)") == "ff FF 0xff 10");
  CHECK(s("printf(\"%e\", 1234.5)") == "1.234500e+03");
  CHECK(s("printf(\"%g %g\", 0.0001, 1000000)") == "0.0001 1e+06");
  CHECK(s("printf(\"%08.2f\", -3.14159)") == "-0003.14");
  CHECK(s("printf(\"%*d|%-*d|\", 5, 42, 3, 7)") == "   42|7  |");
  CHECK(s("printf(\"100%%\")") == "100%");
  CHECK(s("printf(\"% d\", 5)") == " 5");
  CHECK(s("printf(\"%s and %s\", 1.5, \"x\")") == "1.5 and x");
  CHECK(s("printf(\"%d\", \"abc\")") == "<null>");
  CHECK(s("printf(\"%d\", nosuch)") == "<null>");
  CHECK(s("printf(\"%*d\", 100000, 1)") == "<null>");  // a width from a value is bounded
  CHECK(s("printf(f, 1)", fields({{"f", value{"%n"}}})) == "<null>");  // a bad format from a field
  CHECK(s("printf(f, 7)", fields({{"f", value{"<%03d>"}}})) == "<007>");
  CHECK(s("len(printf(\"%4000d\", 1))") == "4000");
  CHECK(s("len(printf(\"%.4000f\", 1e300))") ==
        "4302");  // 301 digits, the point, 4000 decimals: nothing cut
  CHECK(parse_error("printf(\"%5000d\", 1)").find("width above 4096") != std::string::npos);
  CHECK(parse_error("printf(\"%99999999999999999999d\", 1)").find("printf(): invalid format") == 0);
  CHECK(parse_error("printf(\"%n\", 1)").find("unknown conversion \"%n\"") != std::string::npos);
  CHECK(parse_error("printf(\"%d %d\", 1)").find("takes 2 values, got 1") != std::string::npos);
  CHECK(parse_error("printf(\"%\")").find("at 1:1") != std::string::npos);
}

TEST_CASE("eval functions: mathematics, min and max") {
  CHECK(s("abs(-3)") == "3");
  CHECK(s("floor(1.9) . \" \" . ceiling(1.1) . \" \" . ceil(-1.1)") == "1 2 -1");
  CHECK(s("exp(0)") == "1");
  CHECK(s("ln(1)") == "0");
  CHECK(s("ln(0)") == "<null>");
  CHECK(s("log(100)") == "2");  // doc: log base 10 by default
  CHECK(s("log(8, 2)") == "3");
  CHECK(s("log(8, 1)") == "<null>");
  CHECK(s("pow(2, 10)") == "1024");
  CHECK(s("pow(10, 400)") == "<null>");
  CHECK(s("sqrt(9)") == "3");  // doc
  CHECK(s("sqrt(-1)") == "<null>");
  CHECK(s("round(3.14159, 3)") == "3.142");
  CHECK(s("round(2.5)") == "3");
  CHECK(s("round(-2.5)") == "-3");
  CHECK(s("exact(3.14 * 2)") == "6.28");
  CHECK(std::fabs(*ev("pi()").as_number() - 3.14159265358979) < 1e-12);
  CHECK(s("abs(\"x\")") == "<null>");
  for (int i = 0; i < 20; ++i) {
    auto n = *ev("random()").as_number();
    CHECK((n >= 0 && n <= 2147483647.0 && n == std::floor(n)));
  }
  // doc: max(1, 3, 6, 7, "foo", name) is "foo" for name="baz" and "zaz" for name="zaz".
  CHECK(s("max(1, 3, 6, 7, \"foo\", name)", fields({{"name", value{"baz"}}})) == "foo");
  CHECK(s("max(1, 3, 6, 7, \"foo\", name)", fields({{"name", value{"zaz"}}})) == "zaz");
  CHECK(s("max(1, 3, 6, 7)") == "7");
  CHECK(s("min(3, 1, \"a\")") == "1");  // numbers are below strings
  CHECK(s("min(\"b\", \"a\")") == "a");
  CHECK(s("max(\"10\", \"9\")") == "9");  // string literals compare as text
  CHECK(s("min(n, 9)", fields({{"n", value{"10"}}})) ==
        "9");  // field text that is a number is a number
  CHECK(s("max(mv)", fields({{"mv", value::multi({"2", "11", "3"})}})) == "11");
  CHECK(s("min(nosuch)") == "<null>");
}

TEST_CASE("eval functions: multivalue") {
  CHECK(s("mvcount(split(\"a;b;c\", \";\"))") == "3");
  CHECK(s("mvcount(\"x\")") == "1");
  CHECK(s("mvcount(nosuch)") == "<null>");
  CHECK(s("mvjoin(split(\"a;b;c\", \";\"), \"|\")") == "a|b|c");
  CHECK(s("mvjoin(split(\"abc\", \"\"), \"-\")") == "a-b-c");
  CHECK(s("mvjoin(split(\"a;;b\", \";\"), \",\")") == "a,,b");
  auto mv = fields({{"mv", value::multi({"a", "b", "c", "d"})}});
  CHECK(s("mvindex(mv, 0)", mv) == "a");
  CHECK(s("mvindex(mv, -1)", mv) == "d");
  CHECK(s("mvjoin(mvindex(mv, 1, 2), \",\")", mv) == "b,c");  // the end is inclusive
  CHECK(s("mvjoin(mvindex(mv, -3, -2), \",\")", mv) == "b,c");
  CHECK(s("mvjoin(mvindex(mv, 2, 100), \",\")", mv) == "c,d");
  CHECK(s("mvindex(mv, 4)", mv) == "<null>");
  CHECK(s("mvindex(mv, -5)", mv) == "<null>");
  CHECK(s("mvindex(mv, 2, 1)", mv) == "<null>");
  CHECK(ev("mvappend(\"a\", null(), split(\"b,c\", \",\"), nosuch)") ==
        value::multi({"a", "b", "c"}));
  CHECK(ev("mvdedup(split(\"a,b,a,c,b\", \",\"))") == value::multi({"a", "b", "c"}));
  // doc: mvfilter(match(email, "\.net$") OR match(email, "\.org$"))
  auto mail = fields({{"email", value::multi({"a@x.net", "b@y.com", "c@z.org", "d@w.net"})}});
  CHECK(ev(R"(mvfilter(match(email, "\.net$") OR match(email, "\.org$")))", mail) ==
        value::multi({"a@x.net", "c@z.org", "d@w.net"}));
  CHECK(s(R"(mvfilter(match(email, "\.com$")))", mail) == "b@y.com");
  CHECK(s(R"(mvfilter(match(email, "\.de$")))", mail) == "<null>");
  CHECK(s("mvfilter(x > 1)", fields({{"x", value{"5"}}})) == "5");
  CHECK(parse_error("mvfilter(a > b)").find("exactly one field") != std::string::npos);
  CHECK(parse_error("mvfilter(1 > 0)").find("at 1:1") != std::string::npos);
}

TEST_CASE("eval functions: time") {
  // 1700000000 is Tue 2023-11-14 22:13:20 UTC, day 318 of the year, ISO week 46.
  CHECK(s("strftime(1700000000, \"%Y-%m-%dT%H:%M:%S\")") == "2023-11-14T22:13:20");
  CHECK(s("strftime(1700000000.123456, \"%Y-%m-%d %H:%M:%S.%3N %z\")") ==
        "2023-11-14 22:13:20.123 +0000");
  CHECK(s("strftime(1700000000.123456, \"%6N|%Q|%N\")") == "123456|123|123456000");
  CHECK(s("strftime(1700000000, \"%a %A %b %B %e %j %U %V %W %w %u %I %p %C %D %y %s %Z %%\")") ==
        "Tue Tuesday Nov November 14 318 46 46 46 2 2 10 PM 20 11/14/23 23 1700000000 UTC %");
  CHECK(s("strftime(0, \"%c\")") == "Thu Jan  1 00:00:00 1970");
  CHECK(s("strftime(-1, \"%F %T\")") == "1969-12-31 23:59:59");
  CHECK(s("strftime(\"x\", \"%F\")") == "<null>");
  CHECK(s("strftime(1e15, \"%F\")") == "<null>");
  CHECK(parse_error("strftime(_time, \"%K\")").find("strftime(): unknown time format code") == 0);

  CHECK(s("strptime(\"2023-11-14T22:13:20.123 +0000\", \"%Y-%m-%dT%H:%M:%S.%3N %z\")") ==
        "1700000000.123");
  CHECK(s("strptime(\"2023-11-14 23:13:20 +0100\", \"%Y-%m-%d %H:%M:%S %z\")") == "1700000000");
  CHECK(s("strptime(\"11/14/2023\", \"%m/%d/%Y\")") == "1699920000");
  CHECK(s("strptime(\"14 Nov 2023\", \"%d %b %Y\")") == "1699920000");
  CHECK(s("strptime(\"not a date\", \"%Y-%m-%d\")") == "<null>");
  CHECK(s("strptime(\"2023-02-30\", \"%Y-%m-%d\")") == "<null>");
  // doc: strptime(timeStr, "%H:%M") with 11:59 is today at 11:59 (UTC here).
  double today = std::floor(now_seconds() / 86400) * 86400;
  CHECK(*ev("strptime(\"11:59\", \"%H:%M\")").as_number() == today + 11 * 3600 + 59 * 60);
  CHECK(
      parse_error("strptime(x, \"%Q\")").find("strptime(): unsupported time format code \"%Q\"") ==
      0);

  CHECK(s("relative_time(1700000000, \"-1d@d\")") == "1699833600");  // Mon 2023-11-13 00:00:00
  CHECK(s("relative_time(1700000000, \"+1h\")") == "1700003600");
  CHECK(s("relative_time(1700000000, \"@mon\")") == "1698796800");  // 2023-11-01
  CHECK(s("relative_time(1700000000, spec)", fields({{"spec", value{"-1q"}}})) == "<null>");
  CHECK(
      parse_error("relative_time(now(), \"-1q\")").find("relative_time(): invalid time \"-1q\"") ==
      0);

  // now() is the search's time; time() the clock's.
  auto q = parse_query("* | eval n = now(), r = relative_time(now(), \"@d\")",
                       1700000000LL * us_per_sec + 500000);
  REQUIRE(q.has_value());
  row r;
  for (auto& [name, e] : q->commands[0].assignments) r.set(name, evaluate(e, r));
  CHECK(r.get("n")->as_string() == "1700000000.5");
  CHECK(r.get("r")->as_string() == "1699920000");
  double t = *ev("time()").as_number();
  CHECK(std::fabs(t - now_seconds()) < 5);
}

TEST_CASE("eval functions: whole searches through the store") {
  testing::search_fixture f;
  constexpr time_us t0 = testing::search_fixture::t0;
  std::vector<event_view> events{
      {t0 + 10 * us_per_sec,
       "web1",
       "/a.log",
       "access",
       "GET /index.html status=200 bytes=512 user=alice src=10.1.2.3",
       {}},
      {t0 + 40 * us_per_sec,
       "web2",
       "/a.log",
       "access",
       "GET /login status=500 bytes=10 user=bob src=192.168.0.9",
       {}},
      {t0 + 20 * us_per_sec, "db1", "/db.log", "db", "ERROR connection refused user=carol", {}},
      {t0 + 50 * us_per_sec, "db1", "/db.log", "db", "INFO connection closed user=alice", {}}};
  f.add("main", events);
  auto rows = f.run(
      "status=500 | eval h=md5(user), p=printf(\"%05d\", bytes), d=strftime(_time, \"%Y-%m-%d "
      "%H:%M:%S\")"
      " | table h, p, d");
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "h") == "9f9d51bc70ef21ca5c14f307980a29d8");  // md5("bob")
  CHECK(str(rows[0], "p") == "00010");
  CHECK(str(rows[0], "d") == "2026-11-22 00:00:40");
  // searchmatch under stats: the executor must read _raw and user for it.
  rows = f.run("* | where searchmatch(\"connection user=alice\") | stats count");
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "count") == "1");
  rows = f.run("* | where cidrmatch(\"10.0.0.0/8\", src) | stats count by user");
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "user") == "alice");
  rows = f.run("* | where like(user, \"c%\") OR match(user, \"^b\") | stats count");
  CHECK(str(rows[0], "count") == "2");
  rows = f.run("* | eval u=mvjoin(mvdedup(split(\"a,b,a\", \",\")), \"+\") | head 1 | table u");
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "u") == "a+b");
  rows =
      f.run("* | eval k=coalesce(bytes, \"none\"), t=typeof(bytes) | stats count by k, t | sort k");
  REQUIRE(rows.size() == 3);
  CHECK(str(rows[0], "k") == "10");
  CHECK(str(rows[0], "t") == "Number");
  CHECK(str(rows[2], "k") == "none");
  CHECK(str(rows[2], "t") == "Invalid");
  auto err = f.error_of("* | eval x = replace(_raw, \"(\", \"\")");
  CHECK_MESSAGE(err.find("at 1:14") != std::string::npos, err);
}
