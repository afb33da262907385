package proto

import "testing"

func TestParseBulkInsert(t *testing.T) {
	tests := []struct {
		q                 string
		ok                bool
		prefix, row, tail string
		params            int
	}{
		{"INSERT INTO t (a, b) VALUES (?, ?)", true, "INSERT INTO t (a, b) VALUES ", "(?, ?)", "", 2},
		{"  insert into t values(?,NOW(),?) ; ", true, "insert into t values", "(?,NOW(),?)", "", 2},
		{"REPLACE INTO t VALUE (?)", true, "REPLACE INTO t VALUE ", "(?)", "", 1},
		{"INSERT INTO t VALUES (?, '?)', ?) ON DUPLICATE KEY UPDATE b = VALUES(b)", true,
			"INSERT INTO t VALUES ", "(?, '?)', ?)", " ON DUPLICATE KEY UPDATE b = VALUES(b)", 2},
		{"INSERT INTO t VALUES (?, ?) AS new(x, y) ON DUPLICATE KEY UPDATE b = new.y", true,
			"INSERT INTO t VALUES ", "(?, ?)", " AS new(x, y) ON DUPLICATE KEY UPDATE b = new.y", 2},
		{"INSERT INTO `values` (a) VALUES (?)", true, "INSERT INTO `values` (a) VALUES ", "(?)", "", 1},
		{"INSERT INTO t /* VALUES (?) */ VALUES (?)", true, "INSERT INTO t /* VALUES (?) */ VALUES ", "(?)", "", 1},
		{"INSERT INTO t VALUES (?), (?)", false, "", "", "", 0},
		{"INSERT INTO t SELECT ?", false, "", "", "", 0},
		{"INSERT INTO t VALUES (1)", false, "", "", "", 0},
		{"INSERT INTO t VALUES (?) ON DUPLICATE KEY UPDATE a = ?", false, "", "", "", 0},
		{"UPDATE t SET a = ?", false, "", "", "", 0},
		{"INSERT INTO t (valuesx) VALUESX (?)", false, "", "", "", 0},
	}
	for _, tt := range tests {
		b, ok := ParseBulkInsert(tt.q, false)
		if ok != tt.ok || b.Prefix != tt.prefix || b.Row != tt.row || b.Tail != tt.tail || b.Params != tt.params {
			t.Errorf("ParseBulkInsert(%q) = %+v, %v", tt.q, b, ok)
		}
	}
}

func FuzzParseBulkInsert(f *testing.F) {
	f.Add("INSERT INTO t VALUES (?, ?) AS n ON DUPLICATE KEY UPDATE a=1")
	f.Fuzz(func(t *testing.T, q string) {
		b, ok := ParseBulkInsert(q, false)
		if ok && (b.Params == 0 || b.Row[0] != '(' || b.Row[len(b.Row)-1] != ')') {
			t.Fatalf("bad split %+v of %q", b, q)
		}
	})
}
