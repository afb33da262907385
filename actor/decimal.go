package actor

import (
	"database/sql/driver"
	"errors"

	"github.com/amysql/amysql/proto"
)

// Decimal is an exact DECIMAL value, kept as its canonical decimal text
// (e.g. "-12.3400") so no precision is lost.
type Decimal struct{ s string }

// ParseDecimal validates s as a decimal number: an optional sign, digits,
// and an optional fraction.
func ParseDecimal(s string) (Decimal, error) {
	if !validDecimal(s) {
		return Decimal{}, errorf("invalid decimal %q", s)
	}
	return Decimal{s: s}, nil
}

// MustDecimal is ParseDecimal that panics on invalid input, for literals.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

func validDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// String returns the decimal text; the zero Decimal is "0".
func (d Decimal) String() string {
	if d.s == "" {
		return "0"
	}
	return d.s
}

// IsZero reports whether d is the zero value.
func (d Decimal) IsZero() bool { return d.s == "" }

// AppendLiteral renders d as an SQL numeric literal.
func (d Decimal) AppendLiteral(dst []byte, _ proto.LiteralOptions) ([]byte, error) {
	return append(dst, d.String()...), nil
}

// Value implements driver.Valuer.
func (d Decimal) Value() (driver.Value, error) { return d.String(), nil }

// Scan implements sql.Scanner for string and []byte sources.
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case string:
		x, err := ParseDecimal(v)
		*d = x
		return err
	case []byte:
		x, err := ParseDecimal(string(v))
		*d = x
		return err
	case Decimal:
		*d = v
		return nil
	}
	return errors.New("amysql: cannot scan into Decimal")
}

// MarshalText implements encoding.TextMarshaler.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Decimal) UnmarshalText(b []byte) error {
	x, err := ParseDecimal(string(b))
	*d = x
	return err
}
