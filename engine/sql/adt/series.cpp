/*-------------------------------------------------------------------------
 * series.cpp
 *   generate_series for integer, bigint, numeric, timestamp and
 *   timestamptz, as set-returning functions: each call to Next computes
 *   one more value, so a series of a billion rows never sits in memory.
 *-------------------------------------------------------------------------
 */
#include <memory>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/datetime.h"
#include "engine/sql/adt/function_args.h"
#include "engine/sql/adt/numeric.h"

namespace minipg::sql::adt {
namespace {

Error InvalidSeries(const char* message) { return MakeError(sqlstate::kInvalidParameterValue, message); }

class IntegerSeries : public SetFunctionState {
 public:
  IntegerSeries(int64_t next, int64_t stop, int64_t step) : next_(next), stop_(stop), step_(step) {}
  Result<bool> Next(Datum* out) override {
    if (done_ || (step_ > 0 ? next_ > stop_ : next_ < stop_)) return false;
    *out = Datum(next_);
    done_ = __builtin_add_overflow(next_, step_, &next_);  // the next would overflow: this was the last
    return true;
  }

 private:
  int64_t next_, stop_, step_;
  bool done_ = false;
};

class NumericSeries : public SetFunctionState {
 public:
  NumericSeries(Numeric next, Numeric stop, Numeric step)
      : next_(std::move(next)), stop_(std::move(stop)), step_(std::move(step)), up_(!step_.negative) {}
  Result<bool> Next(Datum* out) override {
    int c = NumericCompare(next_, stop_);
    if (up_ ? c > 0 : c < 0) return false;
    *out = Datum(next_);
    next_ = NumericAdd(next_, step_);
    return true;
  }

 private:
  Numeric next_, stop_, step_;
  bool up_;
};

class TimestampSeries : public SetFunctionState {
 public:
  TimestampSeries(int64_t next, int64_t stop, Interval step, bool up)
      : next_(next), stop_(stop), step_(step), up_(up) {}
  Result<bool> Next(Datum* out) override {
    if (done_ || (up_ ? next_ > stop_ : next_ < stop_)) return false;
    *out = Datum(next_);
    auto next = TimestampPlusInterval(next_, step_);
    if (!next.ok()) {
      done_ = true;  // past the last timestamp: the series ends
    } else {
      next_ = *next;
    }
    return true;
  }

 private:
  int64_t next_, stop_;
  Interval step_;
  bool up_;
  bool done_ = false;
};

Result<std::unique_ptr<SetFunctionState>> IntegerSeriesFn(const FunctionCall& c) {
  int64_t step = c.args.size() > 2 ? IntArg(c, 2) : 1;
  if (step == 0) return InvalidSeries("step size cannot equal zero");
  return std::unique_ptr<SetFunctionState>(new IntegerSeries(IntArg(c, 0), IntArg(c, 1), step));
}

Result<std::unique_ptr<SetFunctionState>> NumericSeriesFn(const FunctionCall& c) {
  Numeric step = c.args.size() > 2 ? NumericArg(c, 2) : NumericFromInt(1);
  for (size_t i = 0; i < c.args.size(); ++i) {
    const Numeric& n = NumericArg(c, i);
    if (n.kind == Numeric::Kind::kNaN) {
      return InvalidSeries(i == 0 ? "start value cannot be NaN" : i == 1 ? "stop value cannot be NaN" : "step size cannot be NaN");
    }
    if (n.kind != Numeric::Kind::kFinite) {
      return InvalidSeries(i == 0 ? "start value cannot be infinity" : i == 1 ? "stop value cannot be infinity" : "step size cannot be infinity");
    }
  }
  if (NumericIsZero(step)) return InvalidSeries("step size cannot equal zero");
  return std::unique_ptr<SetFunctionState>(new NumericSeries(NumericArg(c, 0), NumericArg(c, 1), step));
}

Result<std::unique_ptr<SetFunctionState>> TimestampSeriesFn(const FunctionCall& c) {
  const Interval& step = IntervalArg(c, 2);
  int sign = IntervalCompare(step, Interval{});
  if (sign == 0) return InvalidSeries("step size cannot equal zero");
  return std::unique_ptr<SetFunctionState>(new TimestampSeries(IntArg(c, 0), IntArg(c, 1), step, sign > 0));
}

}  // namespace

void RegisterSeriesFunctions(BuiltinRegistry& r) {
  const T kI4 = T::kInt4, kI8 = T::kInt8, kN = T::kNumeric, kTs = T::kTimestamp, kTz = T::kTimestampTz;
  r.functions.insert(r.functions.end(), {
      {.oid = 1066, .name = "generate_series", .args = {kI4, kI4, kI4}, .result = kI4, .call_set = &IntegerSeriesFn},
      {.oid = 1067, .name = "generate_series", .args = {kI4, kI4}, .result = kI4, .call_set = &IntegerSeriesFn},
      {.oid = 1068, .name = "generate_series", .args = {kI8, kI8, kI8}, .result = kI8, .call_set = &IntegerSeriesFn},
      {.oid = 1069, .name = "generate_series", .args = {kI8, kI8}, .result = kI8, .call_set = &IntegerSeriesFn},
      {.oid = 3259, .name = "generate_series", .args = {kN, kN, kN}, .result = kN, .call_set = &NumericSeriesFn},
      {.oid = 3260, .name = "generate_series", .args = {kN, kN}, .result = kN, .call_set = &NumericSeriesFn},
      {.oid = 938, .name = "generate_series", .args = {kTs, kTs, T::kInterval}, .result = kTs,
       .call_set = &TimestampSeriesFn},
      {.oid = 939, .name = "generate_series", .args = {kTz, kTz, T::kInterval}, .result = kTz,
       .call_set = &TimestampSeriesFn, .volatility = Volatility::kStable},
  });
}

}  // namespace minipg::sql::adt
