// Values as results show them.
#include "core/search/value.hpp"

#include <doctest/doctest.h>

using kura::search::format_number;

TEST_CASE("value: numbers show integers whole, 6 decimals, and 6 significant digits below 1") {
  CHECK(format_number(42) == "42");
  CHECK(format_number(-3) == "-3");
  CHECK(format_number(2.5) == "2.5");
  CHECK(format_number(2.0 / 3) == "0.666667");
  CHECK(format_number(853.0 + 1.0 / 3) == "853.333333");
  CHECK(format_number(1.0 / 3000000) == "0.000000333333");  // never 0 for a non-zero value
  CHECK(format_number(-0.000012345678) == "-0.0000123457");
  CHECK(format_number(1e-18) == "1.00000e-18");
  CHECK(format_number(0) == "0");
}
