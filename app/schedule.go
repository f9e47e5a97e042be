package app

import (
	"fmt"
	"strconv"
	"strings"
)

// CheckScheduleExpression reports what is wrong with an EventBridge
// schedule expression, nil if nothing: "rate(N unit)" with a positive N and
// the unit minute, hour or day (singular for 1, plural otherwise), or
// "cron(...)" with six fields, minutes hours day-of-month month
// day-of-week year, where one of day-of-month and day-of-week is "?".
// Schedule panics with the same error.
func CheckScheduleExpression(expr string) error {
	switch {
	case strings.HasPrefix(expr, "rate("):
		return checkRate(expr)
	case strings.HasPrefix(expr, "cron("):
		return checkCron(expr)
	}
	return fmt.Errorf("schedule expression %q: use rate(...) such as rate(5 minutes), or cron(...) such as cron(0 12 * * ? *)", expr)
}

func checkRate(expr string) error {
	value, unit, ok := parseRate(expr)
	if !ok {
		return fmt.Errorf("schedule expression %q: a rate is rate(VALUE UNIT), such as rate(1 hour) or rate(5 minutes)", expr)
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 || value[0] == '0' {
		return fmt.Errorf("schedule expression %q: the rate's value must be a positive whole number without leading zeros", expr)
	}
	singular := strings.TrimSuffix(unit, "s")
	if singular != "minute" && singular != "hour" && singular != "day" {
		return fmt.Errorf("schedule expression %q: unit %q: use minute(s), hour(s) or day(s)", expr, unit)
	}
	if n == 1 && unit != singular {
		return fmt.Errorf("schedule expression %q: a value of 1 takes the singular unit: rate(1 %s)", expr, singular)
	}
	if n > 1 && unit == singular {
		return fmt.Errorf("schedule expression %q: a value above 1 takes the plural unit: rate(%d %ss)", expr, n, singular)
	}
	return nil
}

// cronField describes one field of an EventBridge cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names for min, min+1, ... (months, days of week)
	question bool     // "?" allowed
	special  func(string) bool
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

var cronFields = []cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, question: true, special: func(s string) bool {
		// L (last day), LW (last weekday), nW (weekday nearest day n).
		if s == "L" || s == "LW" {
			return true
		}
		if d, ok := strings.CutSuffix(s, "W"); ok {
			n, err := strconv.Atoi(d)
			return err == nil && n >= 1 && n <= 31
		}
		return false
	}},
	{name: "month", min: 1, max: 12, names: monthNames},
	{name: "day-of-week", min: 1, max: 7, names: dayNames, question: true, special: func(s string) bool {
		// L (last day of the week), nL (last day n of the month), n#k
		// (k-th day n of the month).
		if s == "L" {
			return true
		}
		if d, ok := strings.CutSuffix(s, "L"); ok {
			_, ok := cronValue(d, 1, 7, dayNames)
			return ok
		}
		if d, k, ok := strings.Cut(s, "#"); ok {
			_, ok1 := cronValue(d, 1, 7, dayNames)
			n, err := strconv.Atoi(k)
			return ok1 && err == nil && n >= 1 && n <= 5
		}
		return false
	}},
	{name: "year", min: 1970, max: 2199},
}

func checkCron(expr string) error {
	body, ok := strings.CutSuffix(strings.TrimPrefix(expr, "cron("), ")")
	if !ok {
		return fmt.Errorf("schedule expression %q: a cron expression is cron(FIELDS) with a closing parenthesis", expr)
	}
	fields := strings.Fields(body)
	if len(fields) != 6 {
		return fmt.Errorf("schedule expression %q: EventBridge cron expressions have 6 fields (minutes hours day-of-month month day-of-week year), not %d; e.g. cron(0 12 * * ? *)", expr, len(fields))
	}
	for i, f := range fields {
		if err := cronFields[i].check(f); err != nil {
			return fmt.Errorf("schedule expression %q: %v", expr, err)
		}
	}
	dom, dow := fields[2], fields[4]
	if (dom == "?") == (dow == "?") {
		return fmt.Errorf("schedule expression %q: exactly one of day-of-month (%s) and day-of-week (%s) must be \"?\"; e.g. cron(0 12 * * ? *) or cron(0 12 ? * MON *)", expr, dom, dow)
	}
	return nil
}

func (f cronField) check(s string) error {
	if s == "?" {
		if !f.question {
			return fmt.Errorf("%s field: \"?\" is allowed only in day-of-month and day-of-week", f.name)
		}
		return nil
	}
	for _, item := range strings.Split(s, ",") {
		if !f.item(item) {
			return fmt.Errorf("%s field %q: %q is not a value from %d to %d, a range (a-b), a step (*/n, a/n), \"*\"%s", f.name, s, item, f.min, f.max, f.extra())
		}
	}
	return nil
}

func (f cronField) extra() string {
	switch f.name {
	case "day-of-month":
		return ", L, LW or nW"
	case "day-of-week":
		return ", a day name (SUN-SAT), L, nL or n#k"
	case "month":
		return " or a month name (JAN-DEC)"
	}
	return ""
}

func (f cronField) item(s string) bool {
	if f.special != nil && f.special(s) {
		return true
	}
	base, step, hasStep := strings.Cut(s, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || n > f.max {
			return false
		}
	}
	if base == "*" {
		return true
	}
	lo, hi, isRange := strings.Cut(base, "-")
	a, ok := cronValue(lo, f.min, f.max, f.names)
	if !ok {
		return false
	}
	if !isRange {
		return true
	}
	b, ok := cronValue(hi, f.min, f.max, f.names)
	// Ranges of days of the week may wrap (FRI-MON); others may not.
	return ok && (a <= b || f.names != nil && f.name == "day-of-week")
}

// cronValue parses a number from min to max, or one of names (for min,
// min+1, ...).
func cronValue(s string, lo, hi int, names []string) (int, bool) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return lo + i, true
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}
